package dev.kv.bench;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * Virtual time for tests: a clock that only moves when the test runs the next scheduled task, so a
 * run of the driver "lasting" seconds takes milliseconds and every figure it computes is exact.
 * Tasks due at the same instant run in the order they were scheduled. Single-threaded.
 */
final class VirtualScheduler implements NanoClock, FakeBackend.Scheduler {
  private record Task(long dueNanos, long order, Runnable action) {}

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(Comparator.comparingLong(Task::dueNanos).thenComparingLong(Task::order));
  private long now;
  private long scheduled;

  VirtualScheduler(long startNanos) {
    this.now = startNanos;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void after(long delayNanos, Runnable action) {
    tasks.add(new Task(now + delayNanos, scheduled++, action));
  }

  /** Runs tasks in time order until {@code future} is done; fails if it could never be. */
  <T> T runUntilDone(CompletableFuture<T> future) {
    while (!future.isDone()) {
      Task next = tasks.poll();
      if (next == null) {
        throw new AssertionError("nothing left to run, but the future is not done");
      }
      now = next.dueNanos();
      next.action().run();
    }
    return future.join();
  }
}
