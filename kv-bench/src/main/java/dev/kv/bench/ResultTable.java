package dev.kv.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders results as a fixed-width text table (workload, backend, ops/s, p50/p99/p999 in ms,
 * errors, and the servers' CPU milliseconds and context switches per operation, "-" where not
 * measured), followed by one line per run that had errors, naming their kinds.
 */
final class ResultTable {
  private static final String ROW = "%-44s  %-7s %10s %9s %9s %9s %7s %9s %9s%n";

  private ResultTable() {}

  static void print(List<RunResult> results, PrintStream out) {
    out.printf(
        Locale.ROOT,
        ROW,
        "workload",
        "backend",
        "ops/s",
        "p50 ms",
        "p99 ms",
        "p999 ms",
        "errors",
        "cpu ms/op",
        "cs/op");
    for (RunResult r : results) {
      LatencySummary l = r.latency();
      out.printf(
          Locale.ROOT,
          ROW,
          r.workload().description(),
          r.backend(),
          String.format(Locale.ROOT, "%.0f", r.opsPerSecond()),
          ms(l.p50Micros()),
          ms(l.p99Micros()),
          ms(l.p999Micros()),
          r.errors(),
          r.serverCost()
              .map(c -> String.format(Locale.ROOT, "%.2f", c.cpuMillisPerOp(l.count())))
              .orElse("-"),
          r.serverCost()
              .flatMap(c -> c.switchesPerOp(l.count()))
              .map(x -> String.format(Locale.ROOT, "%.1f", x))
              .orElse("-"));
    }
    for (RunResult r : results) {
      if (r.errors() > 0) {
        out.printf(
            "errors of %s on %s: %s%n",
            r.workload().name(),
            r.backend(),
            r.errorsByKind().entrySet().stream()
                .map(Map.Entry::toString)
                .collect(Collectors.joining(", ")));
      }
    }
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%.2f", LatencySummary.millis(micros));
  }
}
