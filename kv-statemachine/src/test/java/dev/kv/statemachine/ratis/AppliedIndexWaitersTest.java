package dev.kv.statemachine.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AppliedIndexWaitersTest {
  private final AppliedIndexWaiters waiters = new AppliedIndexWaiters();

  @Test
  void aWaitCompletesOnceItsIndexIsAppliedAndNotBefore() {
    waiters.advance(4);
    assertThat(waiters.await(4)).as("already applied").isDone();

    CompletableFuture<Void> six = waiters.await(6);
    CompletableFuture<Void> eight = waiters.await(8);
    waiters.advance(5);
    assertThat(six).isNotDone();

    waiters.advance(7);
    assertThat(six).isCompleted();
    assertThat(eight).isNotDone();
    assertThat(waiters.waitingCount()).isEqualTo(1);

    waiters.advance(9);
    assertThat(eight).isCompleted();
    assertThat(waiters.waitingCount()).isZero();
  }

  @Test
  void theAppliedIndexNeverMovesBack() {
    waiters.advance(10);
    waiters.advance(3); // a reload at an older snapshot index
    assertThat(waiters.await(10)).isDone();
  }

  @Test
  void closingFailsWhoWaitsAndWhoWaitsLater() {
    CompletableFuture<Void> waiting = waiters.await(3);
    waiters.close(new IllegalStateException("replica closed"));

    assertThat(waiting).isCompletedExceptionally();
    assertThat(waiters.await(5)).isCompletedExceptionally();
  }

  /** Waits registered while the apply thread advances are never left behind. */
  @Test
  void noWaitIsLostToARaceWithTheApplyThread() throws Exception {
    int entries = 200_000;
    CountDownLatch start = new CountDownLatch(1);
    Thread applier = new Thread(() -> {
      try {
        start.await();
      } catch (InterruptedException e) {
        return;
      }
      for (long i = 1; i <= entries; i++) {
        waiters.advance(i);
      }
    });
    applier.start();
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    start.countDown();
    for (long i = 1; i <= entries; i += 97) {
      waits.add(waiters.await(i));
    }
    applier.join(TimeUnit.SECONDS.toMillis(30));

    assertThat(waits).allMatch(CompletableFuture::isDone);
    assertThat(waiters.waitingCount()).isZero();
  }
}
