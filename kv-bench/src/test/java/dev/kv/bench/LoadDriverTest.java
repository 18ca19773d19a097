package dev.kv.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kv.bench.FakeBackend.Outcome;
import dev.kv.client.ReadConsistency;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The driver's figures against a fake backend in virtual time, where they can be computed by hand:
 * each test states the arithmetic its expectations come from.
 */
class LoadDriverTest {
  private static final long MS = 1_000_000;
  private static final long START = 1_000 * MS; // not zero, to catch absolute-time slips

  private final VirtualScheduler time = new VirtualScheduler(START);

  @Test
  void throughputIsCompletionsInTheWindowOverItsLength() {
    FakeBackend backend = new FakeBackend(time, time, (n, op, t) -> Outcome.succeedAfter(MS));
    Workload workload = puts(4, Duration.ofMillis(1000), Duration.ofMillis(100));

    RunResult result = run(backend, workload);

    // Each client completes an operation every 1 ms, at 1, 2, 3, ... ms; the window [100, 1100)
    // holds completions 100 .. 1099: 1000 per client.
    assertThat(result.latency().count()).isEqualTo(4000);
    assertThat(result.measuredSeconds()).isEqualTo(1.0);
    assertThat(result.opsPerSecond()).isEqualTo(4000.0);
    assertThat(result.latency().p50Micros()).isEqualTo(1000);
    assertThat(result.latency().maxMicros()).isEqualTo(1000);
    assertThat(result.latency().meanMicros()).isEqualTo(1000.0);
    assertThat(result.errorsByKind()).isEmpty();
    assertThat(result.backend()).isEqualTo("fake");
  }

  @Test
  void percentilesComeFromTheLatencyDistribution() {
    // A cycle of 1000 operations: 985 take 1 ms, 13 take 20 ms, 2 take 200 ms (1645 ms in all).
    FakeBackend backend =
        new FakeBackend(
            time,
            time,
            (n, op, t) -> {
              long c = n % 1000;
              return Outcome.succeedAfter(c < 985 ? MS : c < 998 ? 20 * MS : 200 * MS);
            });
    // Three whole cycles end at 4935 ms; the next completion (4936 ms) falls outside.
    Workload workload = puts(1, Duration.ofNanos(4935 * MS + MS / 2), Duration.ZERO);

    RunResult result = run(backend, workload);

    // 3000 values: 2955 of 1 ms, 39 of 20 ms, 6 of 200 ms. Rank 2970 (p99) is a 20 ms one, rank
    // 2997 (p99.9) a 200 ms one.
    LatencySummary latency = result.latency();
    assertThat(latency.count()).isEqualTo(3000);
    assertThat(latency.p50Micros()).isEqualTo(1000);
    assertThat((double) latency.p99Micros()).isCloseTo(20_000, within(20.0));
    assertThat((double) latency.p999Micros()).isCloseTo(200_000, within(200.0));
    assertThat((double) latency.maxMicros()).isCloseTo(200_000, within(200.0));
    assertThat(latency.meanMicros())
        .isCloseTo((2955 * 1_000 + 39 * 20_000 + 6 * 200_000) / 3000.0, within(1.0));
  }

  @Test
  void warmUpIsExcludedFromEveryFigure() {
    // Operations started in the first 50 ms are slow and fail; all later ones take 1 ms.
    FakeBackend backend =
        new FakeBackend(
            time,
            time,
            (n, op, t) ->
                t - START < 50 * MS
                    ? Outcome.failAfter(10 * MS, "COLD")
                    : Outcome.succeedAfter(MS));
    Workload workload = puts(2, Duration.ofMillis(500), Duration.ofMillis(100));

    RunResult result = run(backend, workload);

    // The slow ones end by 50 ms, inside the 100 ms warm-up; the window [100, 600) then holds 500
    // completions of 1 ms per client.
    assertThat(result.errorsByKind()).isEmpty();
    assertThat(result.latency().maxMicros()).isEqualTo(1000);
    assertThat(result.latency().count()).isEqualTo(1000);
    assertThat(result.opsPerSecond()).isEqualTo(2000.0);
  }

  @Test
  void errorsAreCountedByKindAndKeptOutOfLatencyAndThroughput() {
    // A cycle of 20 operations: 5 fail after 1 ms, 1 fails at once, 1 throws, 13 succeed in 1 ms.
    // The two immediate ones take no time, so a cycle lasts 18 ms.
    FakeBackend backend =
        new FakeBackend(
            time,
            time,
            (n, op, t) -> {
              long c = n % 20;
              if (c == 3 || c == 7 || c == 11 || c == 15 || c == 19) {
                return Outcome.failAfter(MS, "UNAVAILABLE");
              }
              if (c == 5) {
                return Outcome.failImmediately("REJECTED");
              }
              if (c == 10) {
                return Outcome.throwNow();
              }
              return Outcome.succeedAfter(MS);
            });
    // 50 whole cycles end at 900 ms; the next completion (901 ms) falls outside.
    Workload workload = puts(1, Duration.ofNanos(900 * MS + MS / 2), Duration.ZERO);

    RunResult result = run(backend, workload);

    assertThat(result.errorsByKind())
        .isEqualTo(Map.of("UNAVAILABLE", 250L, "REJECTED", 50L, "IllegalArgumentException", 50L));
    assertThat(result.errors()).isEqualTo(350);
    assertThat(result.latency().count()).isEqualTo(650);
    assertThat(result.latency().maxMicros()).isEqualTo(1000);
    assertThat(result.opsPerSecond()).isCloseTo(650 / 0.9005, within(1e-9));
  }

  @Test
  void writeFractionAndReadConsistencyChooseTheOperations() {
    FakeBackend backend = new FakeBackend(time, time, (n, op, t) -> Outcome.succeedAfter(MS));
    Workload mixed =
        new Workload(
            "mixed",
            "mixed",
            8,
            0.25,
            ReadConsistency.SERIALIZABLE,
            100,
            16,
            Duration.ofMillis(1000),
            Duration.ZERO);

    run(backend, mixed);

    long total = backend.puts() + backend.serializableGets();
    assertThat(total).isGreaterThanOrEqualTo(8000);
    assertThat(backend.linearizableGets()).isZero();
    assertThat(backend.puts() / (double) total).isCloseTo(0.25, within(0.02));
  }

  @Test
  void readOnlyLinearizableWorkloadNeverWrites() {
    FakeBackend backend = new FakeBackend(time, time, (n, op, t) -> Outcome.succeedAfter(MS));
    Workload reads =
        new Workload(
            "reads",
            "reads",
            2,
            0.0,
            ReadConsistency.LINEARIZABLE,
            10,
            16,
            Duration.ofMillis(100),
            Duration.ZERO);

    run(backend, reads);

    assertThat(backend.puts()).isZero();
    assertThat(backend.serializableGets()).isZero();
    assertThat(backend.linearizableGets()).isEqualTo(200);
  }

  @Test
  void runsWithRealThreadsAndRealTime() throws Exception {
    ScheduledExecutorService completer = Executors.newScheduledThreadPool(2);
    try {
      FakeBackend backend =
          new FakeBackend(
              (delay, action) -> completer.schedule(action, delay, TimeUnit.NANOSECONDS),
              NanoClock.SYSTEM,
              (n, op, t) -> Outcome.succeedAfter(200_000));
      Workload workload = puts(8, Duration.ofMillis(200), Duration.ofMillis(50));
      KeysAndValues data = new KeysAndValues(workload.keys(), workload.valueSize(), 1);

      RunResult result =
          new LoadDriver(backend, workload, data, NanoClock.SYSTEM, 7)
              .start()
              .get(10, TimeUnit.SECONDS);

      assertThat(result.latency().count()).isPositive();
      assertThat(result.latency().p50Micros()).isGreaterThanOrEqualTo(200);
      assertThat(result.errorsByKind()).isEmpty();
      assertThat(result.measuredSeconds()).isEqualTo(0.2);
    } finally {
      completer.shutdownNow();
    }
  }

  @Test
  void preloaderWritesEveryKeyOnce() {
    FakeBackend backend = new FakeBackend(time, time, (n, op, t) -> Outcome.succeedAfter(MS));
    KeysAndValues data = new KeysAndValues(1000, 32, 1);

    time.runUntilDone(new Preloader(backend, data, 16).start());

    assertThat(backend.writtenKeys())
        .hasSize(1000)
        .doesNotHaveDuplicates()
        .contains("bench-0", "bench-999");
  }

  private RunResult run(FakeBackend backend, Workload workload) {
    KeysAndValues data = new KeysAndValues(workload.keys(), workload.valueSize(), 1);
    return time.runUntilDone(new LoadDriver(backend, workload, data, time, 7).start());
  }

  private static Workload puts(int clients, Duration duration, Duration warmup) {
    return new Workload(
        "puts",
        clients + " clients, puts",
        clients,
        1.0,
        ReadConsistency.LINEARIZABLE,
        100,
        16,
        duration,
        warmup);
  }
}
