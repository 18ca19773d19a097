package dev.kv.server.raft;

import java.util.concurrent.CompletableFuture;

/**
 * Unsticks a linearizable read that Ratis 3.3.0 would leave waiting for the next heartbeat
 * (half the election timeout, 500 ms by default) when no write follows it.
 *
 * <p>A leader's ReadIndex counts only follower replies to appends sent after the read arrived,
 * and only replies whose follower commit index has reached the read index. The heartbeat Ratis
 * sends for it carries no previous entry while an append to that follower is unanswered, so the
 * follower cannot advance its commit index from it, and nothing else is sent until the next
 * write or periodic heartbeat (docs/BENCHMARKS.md, "Fixed: reads mixed with writes waited for a
 * heartbeat at low load"). At low load that made one read in a hundred wait half a second. An
 * entry with no commands, proposed once a barrier has waited {@code delayMillis}, is appended
 * with the commit index and its previous entry, and the followers' replies to it acknowledge the
 * read. It changes no state.
 */
final class ReadNudge {
  /** Runs a task once after a delay. */
  @FunctionalInterface
  interface Scheduler {
    void schedule(Runnable task, long delayMillis);
  }

  private final Scheduler scheduler;
  private final long delayMillis;
  private final Runnable proposeEmptyEntry;

  ReadNudge(Scheduler scheduler, long delayMillis, Runnable proposeEmptyEntry) {
    this.scheduler = scheduler;
    this.delayMillis = delayMillis;
    this.proposeEmptyEntry = proposeEmptyEntry;
  }

  /** Returns {@code barrier}; proposes one empty entry if it is still pending after the delay. */
  <T> CompletableFuture<T> watch(CompletableFuture<T> barrier) {
    if (!barrier.isDone()) {
      scheduler.schedule(
          () -> {
            if (!barrier.isDone()) {
              proposeEmptyEntry.run();
            }
          },
          delayMillis);
    }
    return barrier;
  }
}
