package dev.dialogue.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM lists every published module of the build at the build's version, and nothing else: a
 * module added to the parent and not skipped from deployment must be added to the BOM.
 */
class BomTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void listsEveryPublishedModule_atTheParentsVersion() throws Exception {
    Document parent = read(ROOT.resolve("pom.xml"));
    String version = child(parent.getDocumentElement(), "version");
    List<String> published = new ArrayList<>();
    NodeList modules = parent.getElementsByTagName("module");
    for (int i = 0; i < modules.getLength(); i++) {
      String module = modules.item(i).getTextContent().trim();
      Document pom = read(ROOT.resolve(module).resolve("pom.xml"));
      NodeList skip = pom.getElementsByTagName("maven.deploy.skip");
      boolean skipped = skip.getLength() > 0 && skip.item(0).getTextContent().trim().equals("true");
      if (!skipped && !module.equals("dialogue-bom")) {
        published.add(child(pom.getDocumentElement(), "artifactId"));
      }
    }
    assertThat(published)
        .contains("dialogue-core", "dialogue-client", "dialogue-test")
        .doesNotContain("dialogue-examples", "dialogue-bench");

    Document bom = read(ROOT.resolve("dialogue-bom/pom.xml"));
    assertThat(child(bom.getDocumentElement(), "version")).isEqualTo(version);
    List<String> listed = new ArrayList<>();
    NodeList dependencies = bom.getElementsByTagName("dependency");
    for (int i = 0; i < dependencies.getLength(); i++) {
      Element dependency = (Element) dependencies.item(i);
      assertThat(child(dependency, "groupId")).isEqualTo("dev.dialogue");
      assertThat(child(dependency, "version")).isEqualTo("${project.version}");
      listed.add(child(dependency, "artifactId"));
    }
    assertThat(listed).containsExactlyInAnyOrderElementsOf(published);
  }

  private static Document read(Path pom) throws Exception {
    assertThat(pom).exists();
    try (var in = Files.newInputStream(pom)) {
      return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
    }
  }

  /** The text of {@code element}'s direct child named {@code name}. */
  private static String child(Element element, String name) {
    for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e.getTextContent().trim();
      }
    }
    throw new AssertionError(element.getTagName() + " has no <" + name + ">");
  }
}
