package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** When a read barrier gets an empty entry proposed for it, with a scheduler the test runs. */
class ReadNudgeTest {
  private final List<Runnable> scheduled = new ArrayList<>();
  private final List<Long> delays = new ArrayList<>();
  private final AtomicInteger proposed = new AtomicInteger();
  private final ReadNudge nudge =
      new ReadNudge(
          (task, delayMillis) -> {
            scheduled.add(task);
            delays.add(delayMillis);
          },
          20,
          proposed::incrementAndGet);

  @Test
  void aBarrierStillWaitingAfterTheDelayGetsOneEmptyEntry() {
    CompletableFuture<String> barrier = new CompletableFuture<>();

    assertThat(nudge.watch(barrier)).isSameAs(barrier);
    assertThat(delays).containsExactly(20L);
    scheduled.get(0).run();

    assertThat(proposed).hasValue(1);
  }

  @Test
  void aBarrierAnsweredWithinTheDelayGetsNone() {
    CompletableFuture<String> barrier = new CompletableFuture<>();
    nudge.watch(barrier);

    barrier.complete("read index 7");
    scheduled.get(0).run();

    assertThat(proposed).hasValue(0);
  }

  @Test
  void aBarrierAlreadyAnsweredSchedulesNothing() {
    nudge.watch(CompletableFuture.completedFuture("read index 7"));
    nudge.watch(CompletableFuture.failedFuture(new IllegalStateException("not the leader")));

    assertThat(scheduled).isEmpty();
    assertThat(proposed).hasValue(0);
  }
}
