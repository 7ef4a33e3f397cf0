package dev.dialogue.examples.chat.search;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Words as both indexes see them: lower case, accents removed, letters and digits only. */
final class SearchText {
  static final int MAX_WORD = 64;
  static final int MAX_QUERY_WORDS = 8;
  private static final int SNIPPET = 120;

  private SearchText() {}

  /** Lower case without accents ("Café" → "cafe"). */
  static String fold(String text) {
    String decomposed = Normalizer.normalize(text, Normalizer.Form.NFD);
    return decomposed.replaceAll("\\p{M}+", "").toLowerCase(Locale.ROOT);
  }

  /**
   * The distinct words of {@code text}, folded, in order, each at most {@value #MAX_WORD} chars.
   */
  static List<String> words(String text) {
    Set<String> words = new LinkedHashSet<>();
    for (String word : fold(text).split("[^\\p{L}\\p{N}]+")) {
      if (!word.isEmpty()) {
        words.add(word.length() > MAX_WORD ? word.substring(0, MAX_WORD) : word);
      }
    }
    return new ArrayList<>(words);
  }

  /** The query's words, at most {@value #MAX_QUERY_WORDS}. */
  static List<String> queryWords(String query) {
    List<String> words = words(query == null ? "" : query);
    return words.size() > MAX_QUERY_WORDS ? words.subList(0, MAX_QUERY_WORDS) : words;
  }

  /** About 120 characters of {@code text} around the first query word found, "…" where cut. */
  static String snippet(String text, List<String> queryWords) {
    if (text.length() <= SNIPPET) {
      return text;
    }
    String folded = fold(text);
    int at = -1;
    for (String word : queryWords) {
      int i = folded.indexOf(word);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
      }
    }
    // Folding can change the length (rare: ligatures); fall back to the start then.
    if (at < 0 || folded.length() != text.length()) {
      at = 0;
    }
    int start = Math.max(0, at - SNIPPET / 3);
    int end = Math.min(text.length(), start + SNIPPET);
    start = Math.max(0, end - SNIPPET);
    return (start > 0 ? "…" : "")
        + text.substring(start, end).strip()
        + (end < text.length() ? "…" : "");
  }
}
