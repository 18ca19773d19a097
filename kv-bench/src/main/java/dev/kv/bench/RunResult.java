package dev.kv.bench;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The outcome of one workload against one backend, over the measured window only (the warm-up
 * counts for nothing).
 *
 * @param measuredSeconds length of the measured window
 * @param latency latencies of the successful operations completed in the window
 * @param errorsByKind failed operations completed in the window, by {@link Backend#errorKind}
 * @param serverCost what the store's servers spent in the window, when the runner could see them
 */
public record RunResult(
    Workload workload,
    String backend,
    double measuredSeconds,
    LatencySummary latency,
    SortedMap<String, Long> errorsByKind,
    Optional<ServerCost> serverCost) {

  public RunResult {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(serverCost, "serverCost");
    errorsByKind = Collections.unmodifiableSortedMap(new TreeMap<>(errorsByKind));
  }

  public RunResult(
      Workload workload,
      String backend,
      double measuredSeconds,
      LatencySummary latency,
      SortedMap<String, Long> errorsByKind) {
    this(workload, backend, measuredSeconds, latency, errorsByKind, Optional.empty());
  }

  /** This result with the servers' cost over its window. */
  public RunResult withServerCost(ServerCost cost) {
    return new RunResult(
        workload, backend, measuredSeconds, latency, errorsByKind, Optional.of(cost));
  }

  /** The result of {@code workload} on {@code backend} among {@code results}, if there is one. */
  public static Optional<RunResult> find(
      List<RunResult> results, String workload, String backend) {
    return results.stream()
        .filter(r -> r.workload().name().equals(workload) && r.backend().equals(backend))
        .findFirst();
  }

  /** Successful operations per second over the measured window. */
  public double opsPerSecond() {
    return measuredSeconds > 0 ? latency.count() / measuredSeconds : 0;
  }

  public long errors() {
    return errorsByKind.values().stream().mapToLong(Long::longValue).sum();
  }
}
