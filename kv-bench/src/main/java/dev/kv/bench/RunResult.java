package dev.kv.bench;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The outcome of one workload against one backend, over the measured window only (the warm-up
 * counts for nothing).
 *
 * @param measuredSeconds length of the measured window
 * @param latency latencies of the successful operations completed in the window
 * @param errorsByKind failed operations completed in the window, by {@link Backend#errorKind}
 */
public record RunResult(
    Workload workload,
    String backend,
    double measuredSeconds,
    LatencySummary latency,
    SortedMap<String, Long> errorsByKind) {

  public RunResult {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(latency, "latency");
    errorsByKind = Collections.unmodifiableSortedMap(new TreeMap<>(errorsByKind));
  }

  /** Successful operations per second over the measured window. */
  public double opsPerSecond() {
    return measuredSeconds > 0 ? latency.count() / measuredSeconds : 0;
  }

  public long errors() {
    return errorsByKind.values().stream().mapToLong(Long::longValue).sum();
  }
}
