package dev.kv.chaos.report;

import dev.kv.chaos.check.CheckResult;
import dev.kv.chaos.check.KeyResult;
import dev.kv.chaos.check.Verdict;
import dev.kv.chaos.check.Violation;
import dev.kv.chaos.history.CasCondition;
import dev.kv.chaos.history.History;
import dev.kv.chaos.history.NemesisEvent;
import dev.kv.chaos.history.Operation;
import dev.kv.chaos.history.Outcome;
import dev.kv.chaos.history.Output;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Renders chaos runs as one self-contained HTML page (inline CSS and SVG, no scripts, nothing
 * fetched): per panel the verdict, fault windows, throughput and latency over time with the fault
 * windows shaded, the first violation with its partial linearization, and per-key timelines.
 * Several panels sit side by side (the CP versus AP comparison).
 */
public final class HtmlReport {
  private static final int WIDTH = 960;
  private static final int TIMELINE_KEYS = 4;

  /** One history with its verdict, drawn as one column. */
  public record Panel(String title, History history, CheckResult check, List<String> notes) {
    public Panel {
      notes = List.copyOf(notes);
    }
  }

  private HtmlReport() {}

  /** The page: a title, header lines (seed, replay, figures) and the panels. */
  public static String render(String title, boolean passed, List<String> header,
      List<Panel> panels) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
        .append(esc(title)).append("</title><style>").append(CSS).append("</style></head><body>");
    h.append("<h1>").append(esc(title)).append(" <span class=\"badge ")
        .append(passed ? "pass\">PASSED" : "fail\">FAILED").append("</span></h1><ul class=\"hdr\">");
    header.forEach(line -> h.append("<li>").append(esc(line)).append("</li>"));
    h.append("</ul><div class=\"panels\" style=\"grid-template-columns:repeat(")
        .append(panels.size()).append(",1fr)\">");
    for (Panel panel : panels) {
      h.append("<section>");
      panel(h, panel, panels.size() > 1 ? WIDTH / panels.size() - 20 : WIDTH);
      h.append("</section>");
    }
    h.append("</div><p class=\"legend\">Bars: <span style=\"color:#2b7bb9\">GET</span>, "
        + "<span style=\"color:#3a9d3a\">PUT</span>, <span style=\"color:#c98a00\">CAS</span>; "
        + "hatched = outcome unknown (may take effect any time later), grey = failed. "
        + "Shaded bands are fault windows. Red outline: an operation no linearization fits.</p>");
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void panel(StringBuilder h, Panel p, int width) {
    List<Operation> ops = p.history().operations();
    long t0 = ops.stream().mapToLong(Operation::callNanos).min().orElse(0);
    long t1 = Math.max(t0 + 1, ops.stream()
        .mapToLong(o -> o.returned() ? o.returnNanos() : o.callNanos()).max().orElse(t0 + 1));
    for (NemesisEvent e : p.history().nemesisEvents()) {
      t1 = Math.max(t1, e.timeNanos());
    }
    List<long[]> windows = faultWindows(p.history(), t1);
    List<String> names = faultNames(p.history());
    Scale x = new Scale(t0, t1, 50, width - 10);

    h.append("<h2>").append(esc(p.title())).append("</h2>");
    Verdict verdict = p.check().verdict();
    h.append("<p class=\"verdict v-").append(verdict.name()).append("\">")
        .append(esc(verdict.name())).append("</p><pre>")
        .append(esc(p.check().describe())).append("</pre>");
    if (!p.notes().isEmpty()) {
      h.append("<ul>");
      p.notes().forEach(n -> h.append("<li>").append(esc(n)).append("</li>"));
      h.append("</ul>");
    }
    counts(h, ops);
    if (!windows.isEmpty()) {
      h.append("<table><tr><th>fault</th><th>from (s)</th><th>to (s)</th></tr>");
      for (int i = 0; i < windows.size(); i++) {
        h.append("<tr><td>").append(esc(names.get(i))).append("</td><td>")
            .append(secs(windows.get(i)[0] - t0)).append("</td><td>")
            .append(secs(windows.get(i)[1] - t0)).append("</td></tr>");
      }
      h.append("</table>");
    }
    h.append("<h3>Throughput (completed ops per second)</h3>");
    throughput(h, ops, windows, x, width);
    h.append("<h3>Latency of answered operations (ms, log scale)</h3>");
    latency(h, ops, windows, x, width);

    Map<Long, Operation> byId = new HashMap<>();
    ops.forEach(o -> byId.put(o.id(), o));
    List<KeyResult> bad = p.check().keysWith(Verdict.NOT_LINEARIZABLE);
    Set<Long> unfit = new HashSet<>();
    Map<Long, Integer> order = new HashMap<>();
    if (!bad.isEmpty()) {
      KeyResult first = bad.get(0);
      Violation v = first.violation().orElseThrow();
      unfit.addAll(v.notLinearizable());
      for (int i = 0; i < v.longestLinearization().size(); i++) {
        order.put(v.longestLinearization().get(i), i + 1);
      }
      h.append("<h3>First violation: key ").append(esc(first.key())).append("</h3>")
          .append("<p>The longest linearizable prefix the search found (in linearization order)"
              + " leaves the key ").append(esc(v.stateAfter()))
          .append("; none of the operations real time allows next fits that state.</p>")
          .append("<ol class=\"lin\">");
      for (long id : v.longestLinearization()) {
        h.append("<li>").append(esc(describe(byId.get(id), t0))).append("</li>");
      }
      h.append("</ol><p>Does not fit:</p><ul class=\"unfit\">");
      for (long id : v.notLinearizable()) {
        h.append("<li>").append(esc(describe(byId.get(id), t0))).append("</li>");
      }
      h.append("</ul>");
    }
    List<String> keys = timelineKeys(ops, bad);
    for (String key : keys) {
      h.append("<h3>Key ").append(esc(key)).append("</h3>");
      timeline(h, ops.stream().filter(o -> o.key().equals(key)).toList(), windows, width, unfit,
          order, t0, t1);
    }
  }

  private static void counts(StringBuilder h, List<Operation> ops) {
    Map<Outcome, Long> byOutcome = ops.stream()
        .collect(Collectors.groupingBy(Operation::outcome, TreeMap::new, Collectors.counting()));
    h.append("<p>").append(ops.size()).append(" operations: ");
    h.append(byOutcome.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "))).append("</p>");
  }

  private static void throughput(StringBuilder h, List<Operation> ops, List<long[]> windows,
      Scale x, int width) {
    int buckets = (int) Math.max(1, Math.ceil((x.t1 - x.t0) / 1e9));
    int[] ok = new int[buckets];
    int[] bad = new int[buckets];
    for (Operation o : ops) {
      long at = o.returned() ? o.returnNanos() : o.callNanos();
      int b = (int) Math.min(buckets - 1, (at - x.t0) / 1_000_000_000L);
      if (o.outcome() == Outcome.OK) {
        ok[b]++;
      } else {
        bad[b]++;
      }
    }
    int max = 1;
    for (int i = 0; i < buckets; i++) {
      max = Math.max(max, ok[i] + bad[i]);
    }
    int height = 140;
    svgOpen(h, width, height, windows, x);
    h.append(polyline(ok, max, x, height, "#3a9d3a"));
    h.append(polyline(bad, max, x, height, "#c0392b"));
    axisLabel(h, "" + max, height);
    h.append("<text x=\"").append(width - 200).append("\" y=\"12\" class=\"lbl\">green: OK, "
        + "red: failed or unknown</text></svg>");
  }

  private static String polyline(int[] values, int max, Scale x, int height, String color) {
    StringBuilder pts = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      double px = x.at(x.t0 + (long) ((i + 0.5) * 1e9));
      double py = height - 15 - (height - 30.0) * values[i] / max;
      pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
    }
    return "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.5\" points=\""
        + pts + "\"/>";
  }

  private static void latency(StringBuilder h, List<Operation> ops, List<long[]> windows,
      Scale x, int width) {
    int height = 160;
    svgOpen(h, width, height, windows, x);
    double lo = Math.log10(0.5);
    double hi = Math.log10(20_000);
    for (Operation o : ops) {
      if (o.outcome() != Outcome.OK) {
        continue;
      }
      double ms = Math.max(0.5, (o.returnNanos() - o.callNanos()) / 1e6);
      double py = height - 15 - (height - 30) * (Math.log10(ms) - lo) / (hi - lo);
      h.append(String.format(Locale.ROOT,
          "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.3\" fill=\"%s\"/>", x.at(o.returnNanos()), py,
          color(o)));
    }
    for (int ms : new int[] {1, 10, 100, 1000, 10000}) {
      double py = height - 15 - (height - 30) * (Math.log10(ms) - lo) / (hi - lo);
      h.append(String.format(Locale.ROOT,
          "<line x1=\"50\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
              + "<text x=\"2\" y=\"%.1f\" class=\"lbl\">%d ms</text>", width - 10, py, py, py + 4,
          ms));
    }
    h.append("</svg>");
  }

  private static void timeline(StringBuilder h, List<Operation> ops, List<long[]> windows,
      int width, Set<Long> unfit, Map<Long, Integer> order, long runStart, long runEnd) {
    long t0 = ops.stream().mapToLong(Operation::callNanos).min().orElse(runStart);
    long t1 = Math.max(t0 + 1, ops.stream()
        .mapToLong(o -> o.returned() ? o.returnNanos() : o.callNanos()).max().orElse(t0 + 1));
    long pad = Math.max((t1 - t0) / 20, 1_000_000);
    Scale x = new Scale(t0 - pad, t1 + pad, 50, width - 10);
    Map<Integer, Integer> rows = new LinkedHashMap<>();
    ops.stream().sorted(Comparator.comparingLong(Operation::callNanos))
        .forEach(o -> rows.putIfAbsent(o.process(), rows.size()));
    int rowHeight = 18;
    int height = rows.size() * rowHeight + 24;
    svgOpen(h, width, height, windows, x);
    for (Map.Entry<Integer, Integer> r : rows.entrySet()) {
      h.append("<text x=\"2\" y=\"").append(r.getValue() * rowHeight + 16)
          .append("\" class=\"lbl\">p").append(r.getKey()).append("</text>");
    }
    for (Operation o : ops) {
      int row = rows.get(o.process());
      double from = x.at(o.callNanos());
      double to = o.returned() ? x.at(o.returnNanos()) : width - 10;
      String fill = o.outcome() == Outcome.FAILED ? "#bbb"
          : o.outcome() == Outcome.INDETERMINATE ? "url(#hatch)" : color(o);
      String stroke = unfit.contains(o.id()) ? " stroke=\"#e00\" stroke-width=\"2.5\"" : "";
      h.append(String.format(Locale.ROOT,
          "<g><title>%s</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
              + "fill=\"%s\"%s/>", esc(describe(o, runStart)), from, row * rowHeight + 4,
          Math.max(2, to - from), rowHeight - 6, fill, stroke));
      String label = label(o) + (order.containsKey(o.id()) ? " #" + order.get(o.id()) : "");
      if (to - from > 6 * label.length()) {
        h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"op\">%s</text>",
            from + 2, row * rowHeight + 15, esc(label)));
      }
      h.append("</g>");
    }
    h.append("<text x=\"50\" y=\"").append(height - 2).append("\" class=\"lbl\">")
        .append(secs(t0 - runStart)).append(" s</text><text x=\"").append(width - 60)
        .append("\" y=\"").append(height - 2).append("\" class=\"lbl\">")
        .append(secs(t1 - runStart)).append(" s</text></svg>");
  }

  private static void svgOpen(StringBuilder h, int width, int height, List<long[]> windows,
      Scale x) {
    h.append("<svg width=\"").append(width).append("\" height=\"").append(height)
        .append("\" xmlns=\"http://www.w3.org/2000/svg\"><defs><pattern id=\"hatch\" "
            + "width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
            + "patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"6\" fill=\"#999\"/>"
            + "</pattern></defs>");
    for (long[] w : windows) {
      double from = Math.max(x.lo, x.at(w[0]));
      double to = Math.min(x.hi, x.at(w[1]));
      if (to > from) {
        h.append(String.format(Locale.ROOT,
            "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"%d\" class=\"fault\"/>", from,
            to - from, height));
      }
    }
    h.append("<line x1=\"50\" x2=\"").append(width - 10).append("\" y1=\"").append(height - 15)
        .append("\" y2=\"").append(height - 15).append("\" class=\"axis\"/>");
  }

  private static void axisLabel(StringBuilder h, String top, int height) {
    h.append("<text x=\"2\" y=\"18\" class=\"lbl\">").append(esc(top)).append("</text>")
        .append("<text x=\"2\" y=\"").append(height - 15).append("\" class=\"lbl\">0</text>");
  }

  /** [start, stop] of each fault, in start order; a fault never stopped ends at {@code end}. */
  static List<long[]> faultWindows(History history, long end) {
    List<long[]> windows = new ArrayList<>();
    Map<String, List<long[]>> open = new HashMap<>();
    for (NemesisEvent e : history.nemesisEvents()) {
      if (e.phase() == NemesisEvent.Phase.START) {
        long[] w = {e.timeNanos(), end};
        windows.add(w);
        open.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(w);
      } else {
        List<long[]> started = open.getOrDefault(e.name(), List.of());
        if (!started.isEmpty()) {
          started.remove(0)[1] = e.timeNanos();
        }
      }
    }
    return windows;
  }

  private static List<String> faultNames(History history) {
    return history.nemesisEvents().stream().filter(e -> e.phase() == NemesisEvent.Phase.START)
        .map(NemesisEvent::name).toList();
  }

  /** The violating keys first, then the keys with the most unknown outcomes, then the busiest. */
  private static List<String> timelineKeys(List<Operation> ops, List<KeyResult> bad) {
    List<String> keys = new ArrayList<>(bad.stream().map(KeyResult::key).limit(2).toList());
    Map<String, long[]> score = new HashMap<>();
    for (Operation o : ops) {
      long[] s = score.computeIfAbsent(o.key(), k -> new long[2]);
      s[0] += o.outcome() == Outcome.INDETERMINATE ? 1 : 0;
      s[1]++;
    }
    score.entrySet().stream()
        .sorted(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
            .thenComparingLong(e -> -e.getValue()[1]).thenComparing(Map.Entry::getKey))
        .map(Map.Entry::getKey).filter(k -> !keys.contains(k))
        .limit(Math.max(0, TIMELINE_KEYS - keys.size())).forEach(keys::add);
    return keys;
  }

  private static String label(Operation o) {
    return switch (o.kind()) {
      case GET -> o.output() instanceof Output.ReadResult r
          ? "R " + (r.found() ? r.value() : "-") : "R ?";
      case PUT -> "W " + o.value();
      case CAS -> "C " + o.value();
    };
  }

  static String describe(Operation o, long t0) {
    if (o == null) {
      return "?";
    }
    StringBuilder s = new StringBuilder();
    s.append("op ").append(o.id()).append(" p").append(o.process()).append(' ')
        .append(o.kind()).append(' ').append(o.key());
    if (o.condition() != null) {
      s.append(" if ").append(condition(o.condition()));
    }
    if (o.value() != null) {
      s.append(" := ").append(o.value());
    }
    s.append(" [").append(secs(o.callNanos() - t0)).append(" s .. ")
        .append(o.returned() ? secs(o.returnNanos() - t0) + " s" : "never").append("] ")
        .append(o.outcome());
    if (o.output() instanceof Output.ReadResult r) {
      s.append(r.found() ? " read " + r.value() + " v" + r.version() : " read absent");
    } else if (o.output() instanceof Output.PutResult p) {
      s.append(" v").append(p.version());
    } else if (o.output() instanceof Output.CasResult c) {
      s.append(c.succeeded() ? " succeeded v" : " failed, at v").append(c.version());
    }
    if (o.error() != null) {
      s.append(" (").append(o.error()).append(')');
    }
    return s.toString();
  }

  private static String condition(CasCondition c) {
    if (c instanceof CasCondition.VersionEquals v) {
      return "version=" + v.version();
    }
    if (c instanceof CasCondition.ValueEquals v) {
      return "value=" + v.value();
    }
    return "absent";
  }

  private static String color(Operation o) {
    return switch (o.kind()) {
      case GET -> "#2b7bb9";
      case PUT -> "#3a9d3a";
      case CAS -> "#c98a00";
    };
  }

  private static String secs(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** Maps times to x pixels. */
  private record Scale(long t0, long t1, double lo, double hi) {
    double at(long t) {
      return lo + (hi - lo) * (t - t0) / (double) Math.max(1, t1 - t0);
    }
  }

  private static final String CSS =
      "body{font:13px sans-serif;margin:16px;color:#222}h1{font-size:20px}h2{font-size:17px;"
          + "border-bottom:1px solid #ccc}h3{font-size:14px;margin:14px 0 4px}"
          + ".badge{padding:2px 8px;border-radius:4px;color:#fff}.pass{background:#3a9d3a}"
          + ".fail{background:#c0392b}.hdr li{font-family:monospace}.panels{display:grid;gap:16px}"
          + ".verdict{font-weight:bold}.v-LINEARIZABLE{color:#3a9d3a}"
          + ".v-NOT_LINEARIZABLE{color:#c0392b}.v-UNKNOWN{color:#c98a00}"
          + "pre{white-space:pre-wrap;background:#f6f6f6;padding:6px}"
          + "svg{background:#fcfcfc;border:1px solid #eee;display:block}"
          + ".fault{fill:#e74c3c;opacity:.12}.lbl{font-size:10px;fill:#555}"
          + ".op{font-size:9px;fill:#fff}.axis{stroke:#999}.grid{stroke:#eee}"
          + "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px}"
          + ".lin,.unfit{font-family:monospace;font-size:12px}.unfit{color:#c0392b}"
          + ".legend{color:#555}";
}
