package dev.kv.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kv.bench.FakeBackend.Outcome;
import dev.kv.client.ReadConsistency;
import java.io.PrintStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Server cost from real processes' counters: this JVM, a busy child process, a dead one. */
class ServerCostTest {
  private static final long SELF = ProcessHandle.current().pid();

  @Test
  void samplesOfThisProcessCountItsCpuAndItsThreadsBlocking() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "context switches need Linux /proc");
    ServerCost.Sample before = ServerCost.sample(List.of(SELF)).orElseThrow();

    long threadCpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    long spin = 0;
    while (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - threadCpuStart
        < TimeUnit.MILLISECONDS.toNanos(50)) {
      spin++;
    }
    for (int i = 0; i < 20; i++) {
      Thread.sleep(1); // each sleep blocks this thread: a voluntary context switch
    }
    ServerCost cost = ServerCost.sample(List.of(SELF)).orElseThrow().since(before);

    assertThat(spin).isPositive();
    assertThat(cost.cpu()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
    assertThat(cost.voluntarySwitches()).isGreaterThanOrEqualTo(20);
    assertThat(cost.involuntarySwitches()).isNotNegative();
    assertThat(cost.cpuMillisPerOp(10)).isEqualTo(cost.cpu().toNanos() / 1e6 / 10);
    assertThat(cost.switchesPerOp(10)).hasValueSatisfying(s -> assertThat(s).isGreaterThan(2.0));
  }

  @Test
  void aStoreWithAProcessGoneHasNoFigureRatherThanAWrongOne() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(ServerCost.sample(List.of(SELF, gone.pid()))).isEmpty();
    assertThat(ServerCost.sample(List.of())).isEmpty();
  }

  @Test
  void aThreadThatEndsInTheWindowTakesOnlyItsOwnCountWithIt() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "context switches need Linux /proc");
    CountDownLatch slept = new CountDownLatch(1);
    CountDownLatch end = new CountDownLatch(1);
    Thread sleeper =
        new Thread(
            () -> {
              sleepTimes(200);
              slept.countDown();
              awaitQuietly(end);
            },
            "kv-bench-test-sleeper");
    sleeper.start();
    assertThat(slept.await(30, TimeUnit.SECONDS)).isTrue();
    ServerCost.Sample before = ServerCost.sample(List.of(SELF)).orElseThrow();
    end.countDown();
    sleeper.join(); // its 200-odd switches are in `before` and gone with it from `after`
    sleepTimes(5);

    ServerCost cost = ServerCost.sample(List.of(SELF)).orElseThrow().since(before);

    assertThat(cost.voluntarySwitches()).isGreaterThanOrEqualTo(5);
    assertThat(cost.involuntarySwitches()).isNotNegative();
  }

  @Test
  void switchesAreSummedThreadByThread() {
    ServerCost.Sample earlier =
        sample(
            1_000_000, Map.of(1L, switches(100, 10), 2L, switches(500, 50), 4L, switches(90, 9)));
    // Thread 2 ended; thread 3 was born; thread 4's id was reused by a new thread.
    ServerCost.Sample later =
        sample(5_000_000, Map.of(1L, switches(130, 12), 3L, switches(5, 1), 4L, switches(7, 0)));

    ServerCost cost = later.since(earlier);

    assertThat(cost.cpu()).isEqualTo(Duration.ofMillis(4));
    assertThat(cost.voluntarySwitches()).isEqualTo(30 + 5 + 7);
    assertThat(cost.involuntarySwitches()).isEqualTo(2 + 1);
  }

  @Test
  void unknownSwitchesStayUnknownAndPerOpFiguresNeedOperations() {
    ServerCost.Sample earlier = new ServerCost.Sample(1_000_000, Optional.empty());
    ServerCost cost = sample(5_000_000, Map.of(1L, switches(40, 4))).since(earlier);

    assertThat(cost.cpu()).isEqualTo(Duration.ofMillis(4));
    assertThat(cost.voluntarySwitches()).isEqualTo(-1);
    assertThat(cost.switchesPerOp(10)).isEmpty();
    assertThat(new ServerCost(Duration.ofMillis(4), 40, 4).switchesPerOp(0)).isEmpty();
    assertThat(new ServerCost(Duration.ofMillis(4), 40, 4).cpuMillisPerOp(0)).isZero();
  }

  @Test
  void theRunnerMeasuresTheServersOverTheWindowOnly() throws Exception {
    // The "server" is a shell spinning on one core; the store answers in 1 ms.
    Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      FakeBackend backend =
          new FakeBackend(
              (delay, action) -> timer.schedule(action, delay, TimeUnit.NANOSECONDS),
              NanoClock.SYSTEM,
              (n, op, started) -> Outcome.succeedAfter(TimeUnit.MILLISECONDS.toNanos(1)));
      Workload puts =
          new Workload(
              "put-c4",
              "4 clients, puts",
              4,
              1.0,
              ReadConsistency.LINEARIZABLE,
              100,
              16,
              Duration.ofMillis(600),
              Duration.ofMillis(300));
      WorkloadRunner runner = new WorkloadRunner(1, new PrintStream(OutputStream.nullOutputStream()));

      RunResult result = runner.run(backend, puts, List.of(busy.pid()));
      RunResult unmeasured = runner.run(backend, puts);

      ServerCost cost = result.serverCost().orElseThrow();
      // At most one core for the 600 ms window (and its few microseconds of slack), never the
      // warm-up's 300 ms on top; at least something, however loaded the machine is.
      assertThat(cost.cpu()).isPositive().isLessThan(Duration.ofMillis(850));
      assertThat(result.latency().count()).isPositive();
      assertThat(unmeasured.serverCost()).isEqualTo(Optional.empty());
    } finally {
      busy.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      timer.shutdownNow();
    }
  }

  private static ServerCost.Sample sample(long cpuNanos, Map<Long, ServerCost.Switches> threads) {
    return new ServerCost.Sample(cpuNanos, Optional.of(threads));
  }

  private static ServerCost.Switches switches(long voluntary, long involuntary) {
    return new ServerCost.Switches(voluntary, involuntary);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepTimes(int times) {
    try {
      for (int i = 0; i < times; i++) {
        Thread.sleep(1); // a voluntary context switch each
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
