package dev.kv.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs workloads one after another, blocking until each is done: preloads the keys a workload reads
 * (once per backend and key set, since later workloads find them in place), runs the {@link
 * LoadDriver}, and reports progress. Every workload of one runner uses the same seed, so two
 * backends are offered the same sequence of operations.
 */
final class WorkloadRunner {
  /** Every operation is bounded (10 s) by the backends; this only catches a driver bug. */
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(60);

  private static final Duration PRELOAD_LIMIT = Duration.ofMinutes(10);
  private static final int PRELOAD_CONCURRENCY = 256;

  private final long seed;
  private final PrintStream progress;
  private final Map<Backend, Set<String>> preloaded = new HashMap<>();

  WorkloadRunner(long seed, PrintStream progress) {
    this.seed = seed;
    this.progress = progress;
  }

  RunResult run(Backend backend, Workload workload)
      throws InterruptedException, ExecutionException, TimeoutException {
    return run(backend, workload, List.of());
  }

  /**
   * Runs {@code workload} and, when {@code serverPids} names the store's server processes, adds
   * what they spent in the measured window ({@link ServerCost}).
   */
  RunResult run(Backend backend, Workload workload, List<Long> serverPids)
      throws InterruptedException, ExecutionException, TimeoutException {
    KeysAndValues data = new KeysAndValues(workload.keys(), workload.valueSize(), seed);
    if (workload.reads()) {
      preload(backend, workload, data);
    }
    progress.printf(
        Locale.ROOT,
        "kv-bench: %-5s %-46s %d s warm-up + %d s%n",
        backend.name(),
        workload.description(),
        workload.warmup().toSeconds(),
        workload.duration().toSeconds());
    Duration limit = workload.warmup().plus(workload.duration()).plus(DRAIN_LIMIT);
    long windowStart = System.nanoTime() + workload.warmup().toNanos();
    CompletableFuture<RunResult> running =
        new LoadDriver(backend, workload, data, NanoClock.SYSTEM, seed).start();
    Optional<ServerCost> cost =
        measureServers(
            serverPids, running, windowStart, windowStart + workload.duration().toNanos());
    RunResult measured = running.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    RunResult result = cost.map(measured::withServerCost).orElse(measured);
    progress.printf(
        Locale.ROOT,
        "kv-bench:       %.0f ops/s, p99 %.2f ms, %d errors%n",
        result.opsPerSecond(),
        LatencySummary.millis(result.latency().p99Micros()),
        result.errors());
    result
        .serverCost()
        .ifPresent(c -> progress.println("kv-bench:       servers: " + c.describePerOp(result)));
    return result;
  }

  /**
   * Reads the servers' counters when the driver's window opens and when it closes (the driver
   * takes its window from the same clock a few microseconds later); empty if a sample failed or
   * the run ended early.
   */
  private static Optional<ServerCost> measureServers(
      List<Long> pids, CompletableFuture<?> running, long windowStart, long windowEnd)
      throws InterruptedException {
    if (pids.isEmpty() || !runsUntil(running, windowStart)) {
      return Optional.empty();
    }
    Optional<ServerCost.Sample> first = ServerCost.sample(pids);
    if (first.isEmpty() || !runsUntil(running, windowEnd)) {
      return Optional.empty();
    }
    return ServerCost.sample(pids).map(last -> last.since(first.get()));
  }

  /**
   * Waits until {@code deadline} (System.nanoTime); false if the run failed, or ended before it
   * (a driver ends only after its window, so finishing just after a late wake-up is fine).
   */
  private static boolean runsUntil(CompletableFuture<?> running, long deadline)
      throws InterruptedException {
    try {
      running.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return System.nanoTime() - deadline >= 0;
    } catch (TimeoutException stillRunning) {
      return true;
    } catch (ExecutionException failed) {
      return false; // the caller's get reports the failure
    }
  }

  /**
   * Writes the keys {@code workload} reads, unless this runner already did on {@code backend};
   * returns how long that took (zero when there was nothing to do).
   */
  Duration preload(Backend backend, Workload workload)
      throws InterruptedException, ExecutionException, TimeoutException {
    return workload.reads()
        ? preload(backend, workload, new KeysAndValues(workload.keys(), workload.valueSize(), seed))
        : Duration.ZERO;
  }

  private Duration preload(Backend backend, Workload workload, KeysAndValues data)
      throws InterruptedException, ExecutionException, TimeoutException {
    String keySet = workload.keys() + " keys of " + workload.valueSize() + " B";
    if (!preloaded.computeIfAbsent(backend, b -> new HashSet<>()).add(keySet)) {
      return Duration.ZERO;
    }
    progress.printf("kv-bench: %-5s preloading %s%n", backend.name(), keySet);
    long started = System.nanoTime();
    new Preloader(backend, data, PRELOAD_CONCURRENCY)
        .start()
        .get(PRELOAD_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    progress.printf(Locale.ROOT, "kv-bench:       preloaded in %.1f s%n", took.toMillis() / 1e3);
    return took;
  }
}
