package dev.kv.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HistoryRecorderTest {
  // A clock that ticks on every reading, so every event gets its own time.
  private final AtomicLong ticks = new AtomicLong();
  private final HistoryRecorder recorder = new HistoryRecorder(ticks::incrementAndGet);

  @Test
  void recordsCallsAndReturnsOnItsClock() {
    HistoryRecorder.Client client = recorder.newClient();

    HistoryRecorder.Invocation put = client.invokePut("k", "a"); // tick 1
    put.ok(Output.put(1)); // tick 2
    HistoryRecorder.Invocation cas = client.invokeCas("k", CasCondition.versionEquals(1), "b");
    cas.ok(Output.cas(true, 2));
    client.invokeGet("k").ok(Output.read("b", 2));

    List<Operation> ops = recorder.snapshot().operations();
    assertThat(ops)
        .containsExactly(
            new Operation(0, 0, "k", OpKind.PUT, null, "a", 1, 2, Outcome.OK, Output.put(1), null),
            new Operation(
                1,
                0,
                "k",
                OpKind.CAS,
                CasCondition.versionEquals(1),
                "b",
                3,
                4,
                Outcome.OK,
                Output.cas(true, 2),
                null),
            new Operation(
                2, 0, "k", OpKind.GET, null, null, 5, 6, Outcome.OK, Output.read("b", 2), null));
  }

  @Test
  void failedOperationKeepsItsProcess() {
    HistoryRecorder.Client client = recorder.newClient();

    client.invokePut("k", "a").failed("UNAVAILABLE");

    assertThat(client.process()).isZero();
    Operation failed = recorder.snapshot().operations().get(0);
    assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(failed.error()).isEqualTo("UNAVAILABLE");
    assertThat(failed.returnNanos()).isEqualTo(2);
  }

  @Test
  void clientContinuesUnderANewProcessAfterAnIndeterminateOperation() {
    HistoryRecorder.Client first = recorder.newClient();
    HistoryRecorder.Client second = recorder.newClient();

    first.invokePut("k", "a").indeterminate("DEADLINE_EXCEEDED");
    first.invokeGet("k").ok(Output.read("a", 1));

    List<Operation> ops = recorder.snapshot().operations();
    assertThat(ops.get(0).process()).isZero();
    assertThat(ops.get(0).outcome()).isEqualTo(Outcome.INDETERMINATE);
    assertThat(ops.get(0).returnNanos()).isEqualTo(Operation.NEVER_RETURNED);
    assertThat(ops.get(1).process()).isEqualTo(2); // 1 is the second client's
    assertThat(second.process()).isEqualTo(1);
  }

  @Test
  void operationInFlightAtTheSnapshotIsIndeterminate() {
    HistoryRecorder.Client client = recorder.newClient();
    HistoryRecorder.Invocation put = client.invokePut("k", "a");

    History before = recorder.snapshot();
    put.ok(Output.put(1));
    History after = recorder.snapshot();

    assertThat(before.operations())
        .singleElement()
        .extracting(Operation::outcome)
        .isEqualTo(Outcome.INDETERMINATE);
    assertThat(after.operations())
        .singleElement()
        .extracting(Operation::outcome)
        .isEqualTo(Outcome.OK);
  }

  @Test
  void processRunsOneOperationAtATime() {
    HistoryRecorder.Client client = recorder.newClient();
    client.invokeGet("k");

    assertThatThrownBy(() -> client.invokeGet("k"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("process 0 still has operation 0 in flight");
  }

  @Test
  void operationCompletesOnce() {
    HistoryRecorder.Invocation get = recorder.newClient().invokeGet("k");
    get.ok(Output.absent());

    assertThatThrownBy(() -> get.failed("late")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void outputMustFitTheKind() {
    HistoryRecorder.Invocation get = recorder.newClient().invokeGet("k");

    assertThatThrownBy(() -> get.ok(Output.put(1))).hasMessageContaining("does not fit GET");
  }

  @Test
  void recordsNemesisEventsOnTheSameClock() {
    HistoryRecorder.Client client = recorder.newClient();
    client.invokeGet("k").ok(Output.absent()); // ticks 1, 2

    recorder.nemesisStarted("pause n1"); // tick 3
    recorder.nemesisStopped("pause n1"); // tick 4

    assertThat(recorder.snapshot().nemesisEvents())
        .containsExactly(
            new NemesisEvent("pause n1", NemesisEvent.Phase.START, 3),
            new NemesisEvent("pause n1", NemesisEvent.Phase.STOP, 4));
  }

  @Test
  void manyThreadsRecordOneConsistentHistory() throws Exception {
    int threads = 8;
    int opsPerThread = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        HistoryRecorder.Client client = recorder.newClient();
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < opsPerThread; i++) {
                    HistoryRecorder.Invocation put = client.invokePut("k" + thread, "v" + i);
                    if (i % 50 == 49) {
                      put.indeterminate("timeout");
                    } else {
                      put.ok(Output.put(i + 1));
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    List<Operation> ops = recorder.snapshot().operations();
    assertThat(ops).hasSize(threads * opsPerThread);
    assertThat(ops).extracting(Operation::id).doesNotHaveDuplicates();
    // Each process is sequential: its operations never overlap.
    Map<Integer, List<Operation>> byProcess =
        ops.stream().collect(Collectors.groupingBy(Operation::process));
    for (List<Operation> process : byProcess.values()) {
      process.sort(Comparator.comparingLong(Operation::callNanos));
      for (int i = 1; i < process.size(); i++) {
        assertThat(process.get(i - 1).returnNanos()).isLessThan(process.get(i).callNanos());
      }
    }
    // 8 first processes, plus one per indeterminate operation except each thread's last.
    assertThat(byProcess).hasSize(threads + threads * (opsPerThread / 50 - 1));
  }
}
