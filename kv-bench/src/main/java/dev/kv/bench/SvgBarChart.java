package dev.kv.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Draws a comparison as a standalone SVG file (plain text, no library): two panels of grouped bars,
 * throughput (ops/s) and p99 latency (ms), one group per workload with the backends side by side in
 * the order they first appear, each bar labelled with its value.
 */
final class SvgBarChart {
  private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759"};
  private static final int WIDTH = 1000;
  private static final int PANEL_HEIGHT = 300;
  private static final int LEFT = 80;
  private static final int RIGHT = 20;
  private static final int TOP = 70;
  private static final int LABELS = 60;
  private static final int GAP = 50;

  private SvgBarChart() {}

  static void write(Path file, String title, List<RunResult> results) throws IOException {
    Files.writeString(file, render(title, results), StandardCharsets.UTF_8);
  }

  static String render(String title, List<RunResult> results) {
    List<String> workloads = new ArrayList<>(distinct(results, r -> r.workload().name()));
    List<String> backends = new ArrayList<>(distinct(results, RunResult::backend));
    int height = TOP + 2 * (PANEL_HEIGHT + LABELS) + GAP;
    StringBuilder svg = new StringBuilder();
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                    + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH,
                height,
                WIDTH,
                height))
        .append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height))
        .append(text(WIDTH / 2.0, 24, "middle", 16, title));
    legend(svg, backends);
    panel(
        svg,
        TOP,
        "Throughput (ops/s, higher is better)",
        results,
        workloads,
        backends,
        RunResult::opsPerSecond);
    panel(
        svg,
        TOP + PANEL_HEIGHT + LABELS + GAP,
        "p99 latency (ms, lower is better)",
        results,
        workloads,
        backends,
        r -> LatencySummary.millis(r.latency().p99Micros()));
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void legend(StringBuilder svg, List<String> backends) {
    double x = WIDTH - RIGHT - 110.0 * backends.size();
    for (int i = 0; i < backends.size(); i++) {
      svg.append(rect(x + 110 * i, 36, 14, 14, color(i)))
          .append(text(x + 110 * i + 20, 48, "start", 13, backends.get(i)));
    }
  }

  private static void panel(
      StringBuilder svg,
      int top,
      String heading,
      List<RunResult> results,
      List<String> workloads,
      List<String> backends,
      ToDoubleFunction<RunResult> value) {
    double max = results.stream().mapToDouble(value).max().orElse(0);
    double step = niceStep(max / 5);
    double axisMax = Math.max(step, Math.ceil(max * 1.1 / step) * step);
    double plotWidth = WIDTH - LEFT - RIGHT;
    double bottom = top + PANEL_HEIGHT;
    svg.append(text(LEFT, top - 8, "start", 13, heading));
    for (double tick = 0; tick <= axisMax + step / 2; tick += step) {
      double y = bottom - tick / axisMax * PANEL_HEIGHT;
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                  LEFT,
                  y,
                  LEFT + plotWidth,
                  y))
          .append(text(LEFT - 6, y + 4, "end", 11, number(tick)));
    }
    double group = plotWidth / Math.max(1, workloads.size());
    double bar = group * 0.7 / Math.max(1, backends.size());
    for (int w = 0; w < workloads.size(); w++) {
      String workload = workloads.get(w);
      double groupLeft = LEFT + w * group + group * 0.15;
      for (int b = 0; b < backends.size(); b++) {
        Optional<RunResult> result = find(results, workload, backends.get(b));
        if (result.isEmpty()) {
          continue;
        }
        double v = value.applyAsDouble(result.get());
        double h = v / axisMax * PANEL_HEIGHT;
        double x = groupLeft + b * bar;
        svg.append(rect(x, bottom - h, bar - 2, h, color(b)))
            .append(text(x + (bar - 2) / 2, bottom - h - 4, "middle", 10, number(v)));
      }
      String description =
          results.stream()
              .filter(r -> r.workload().name().equals(workload))
              .findFirst()
              .map(r -> r.workload().description())
              .orElse(workload);
      double center = LEFT + w * group + group / 2;
      List<String> lines = wrap(description, (int) (group / 6.5));
      for (int i = 0; i < lines.size(); i++) {
        svg.append(text(center, bottom + 16 + 14 * i, "middle", 11, lines.get(i)));
      }
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>%n",
            LEFT,
            bottom,
            LEFT + plotWidth,
            bottom));
  }

  /** Breaks text at spaces into lines of at most {@code width} characters (longer words alone). */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double residual = raw / magnitude;
    double nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
    return nice * magnitude;
  }

  private static Optional<RunResult> find(
      List<RunResult> results, String workload, String backend) {
    return results.stream()
        .filter(r -> r.workload().name().equals(workload) && r.backend().equals(backend))
        .findFirst();
  }

  private static <T> LinkedHashSet<T> distinct(
      List<RunResult> results, Function<RunResult, T> key) {
    LinkedHashSet<T> seen = new LinkedHashSet<>();
    results.forEach(r -> seen.add(key.apply(r)));
    return seen;
  }

  private static String color(int index) {
    return COLORS[index % COLORS.length];
  }

  private static String number(double v) {
    if (v >= 100 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
  }

  private static String rect(double x, double y, double w, double h, String fill) {
    return String.format(
        Locale.ROOT,
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
        x,
        y,
        Math.max(0, w),
        Math.max(0, h),
        fill);
  }

  private static String text(double x, double y, String anchor, int size, String content) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
        x,
        y,
        anchor,
        size,
        escape(content));
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
