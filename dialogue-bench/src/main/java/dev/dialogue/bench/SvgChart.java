package dev.dialogue.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart written as SVG text: one line per series over a shared x axis, linear or
 * logarithmic y. Enough for throughput and latency against load, with no charting dependency.
 */
final class SvgChart {
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
  private static final int W = 640;
  private static final int H = 360;
  private static final int LEFT = 80;
  private static final int RIGHT = 170;
  private static final int TOP = 40;
  private static final int BOTTOM = 50;

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final boolean logY;
  private final List<String> names = new ArrayList<>();
  private final List<double[][]> series = new ArrayList<>();

  SvgChart(String title, String xLabel, String yLabel, boolean logY) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.logY = logY;
  }

  /** Adds a series of (x, y) points; points with a y that cannot be drawn are skipped. */
  SvgChart series(String name, double[][] points) {
    names.add(name);
    series.add(points);
    return this;
  }

  String render() {
    double maxX = 0;
    double minY = Double.MAX_VALUE;
    double maxY = 0;
    for (double[][] s : series) {
      for (double[] p : s) {
        if (drawable(p[1])) {
          maxX = Math.max(maxX, p[0]);
          minY = Math.min(minY, p[1]);
          maxY = Math.max(maxY, p[1]);
        }
      }
    }
    if (maxX <= 0 || maxY <= 0) {
      maxX = 1;
      maxY = 1;
      minY = 1;
    }
    double lo = logY ? Math.pow(10, Math.floor(Math.log10(minY))) : 0;
    double hi = logY ? Math.pow(10, Math.ceil(Math.log10(maxY))) : niceCeiling(maxY);
    if (logY && hi <= lo) {
      hi = lo * 10;
    }
    double xHi = niceCeiling(maxX);
    StringBuilder svg = new StringBuilder();
    svg.append(
        f(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n",
            W, H));
    svg.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
    svg.append(
        f(
            "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
            LEFT, esc(title)));
    int plotW = W - LEFT - RIGHT;
    int plotH = H - TOP - BOTTOM;
    svg.append(
        f(
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
            LEFT, TOP, plotW, plotH));
    for (int i = 0; i <= 4; i++) {
      double xv = xHi * i / 4;
      double x = LEFT + plotW * i / 4.0;
      svg.append(
          f(
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
              x, TOP + plotH + 16, human(xv)));
    }
    List<Double> ticks = new ArrayList<>();
    if (logY) {
      for (double v = lo; v <= hi * 1.001; v *= 10) {
        ticks.add(v);
      }
    } else {
      for (int i = 0; i <= 4; i++) {
        ticks.add(hi * i / 4);
      }
    }
    for (double v : ticks) {
      double y = yOf(v, lo, hi, plotH);
      svg.append(
          f(
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
              LEFT, y, LEFT + plotW, y));
      svg.append(
          f(
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
              LEFT - 6, y + 4, human(v)));
    }
    svg.append(
        f(
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
            LEFT + plotW / 2, H - 12, esc(xLabel)));
    svg.append(
        f(
            "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">%s</text>%n",
            TOP + plotH / 2, TOP + plotH / 2, esc(yLabel)));
    for (int s = 0; s < series.size(); s++) {
      String color = COLORS[s % COLORS.length];
      StringBuilder path = new StringBuilder();
      for (double[] p : series.get(s)) {
        if (!drawable(p[1])) {
          continue;
        }
        double x = LEFT + plotW * p[0] / xHi;
        double y = yOf(p[1], lo, hi, plotH);
        path.append(path.length() == 0 ? "M" : " L").append(f("%.1f %.1f", x, y));
        svg.append(f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y, color));
      }
      if (path.length() > 0) {
        svg.append(
            f("<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", path, color));
      }
      int ly = TOP + 10 + 20 * s;
      svg.append(
          f(
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
              W - RIGHT + 12, ly, color));
      svg.append(
          f("<text x=\"%d\" y=\"%d\">%s</text>%n", W - RIGHT + 30, ly + 10, esc(names.get(s))));
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private boolean drawable(double y) {
    return Double.isFinite(y) && (!logY || y > 0);
  }

  private double yOf(double v, double lo, double hi, int plotH) {
    double share =
        logY ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : v / hi;
    return TOP + plotH * (1 - share);
  }

  /** 1, 2 or 5 times a power of ten, at least {@code v}. */
  private static double niceCeiling(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  /** 1500 as "1.5k", 2000000 as "2M", 0.05 as "0.05". */
  static String human(double v) {
    if (v >= 1e6) {
      return trim(v / 1e6) + "M";
    }
    if (v >= 1e3) {
      return trim(v / 1e3) + "k";
    }
    return trim(v);
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, v >= 10 ? "%.0f" : v >= 1 ? "%.1f" : "%.3g", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
