package dev.kv.bench;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The one-line verdict of a comparison: kv's throughput divided by etcd's, for 64-client 256 B puts
 * ("writes") and 64-client linearizable gets ("reads"). Empty when either run is missing or etcd
 * did nothing.
 */
record Ratios(OptionalDouble writes, OptionalDouble reads) {

  static Ratios of(List<RunResult> results, String kv, String etcd) {
    return new Ratios(
        ratio(results, ComparisonPlan.WRITES, kv, etcd),
        ratio(results, ComparisonPlan.READS, kv, etcd));
  }

  /** E.g. "ratio (kv/etcd): writes 0.45x, reads 0.31x". */
  String line() {
    return "ratio (kv/etcd): writes " + format(writes) + ", reads " + format(reads);
  }

  private static OptionalDouble ratio(
      List<RunResult> results, String workload, String numerator, String denominator) {
    OptionalDouble top = throughput(results, workload, numerator);
    OptionalDouble bottom = throughput(results, workload, denominator);
    if (top.isEmpty() || bottom.isEmpty() || bottom.getAsDouble() <= 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(top.getAsDouble() / bottom.getAsDouble());
  }

  private static OptionalDouble throughput(
      List<RunResult> results, String workload, String backend) {
    return RunResult.find(results, workload, backend).stream()
        .mapToDouble(RunResult::opsPerSecond)
        .findFirst();
  }

  private static String format(OptionalDouble ratio) {
    return ratio.isPresent() ? String.format(Locale.ROOT, "%.2fx", ratio.getAsDouble()) : "n/a";
  }
}
