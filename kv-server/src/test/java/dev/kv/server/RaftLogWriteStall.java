package dev.kv.server;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.util.CodeInjectionForTesting;

/**
 * Holds back the Raft log writes of one group replica, as a disk that stalls: the replica
 * accepts entries into its log cache, but none is written (so none is acknowledged) until
 * {@link #release()}. Everything else of the replica (votes, snapshot install, apply) runs.
 *
 * <p>It uses the injection point Ratis runs when a log's writer thread starts ({@code
 * SegmentedRaftLogWorker.RUN_WORKER}), so it must be armed before the replica starts, and it
 * stalls only a writer whose thread is named after {@code replica} (Ratis names it {@code
 * <member id>-SegmentedRaftLogWorker}). {@link #wasHit()} tells whether it really did.
 */
final class RaftLogWriteStall implements AutoCloseable {
  /** A stall that nobody releases ends by itself, so a failing test cannot hang the JVM. */
  private static final Duration LONGEST = Duration.ofMinutes(5);

  private final String injectionPoint;
  private final CountDownLatch released = new CountDownLatch(1);
  private final AtomicBoolean hit = new AtomicBoolean();

  /** Stalls the log writer of {@code replica} once it starts. */
  RaftLogWriteStall(RaftGroupMemberId replica) {
    this.injectionPoint = runWorkerInjectionPoint();
    String writerThread = replica + "-";
    CodeInjectionForTesting.put(
        injectionPoint,
        (localId, remoteId, args) -> {
          if (Thread.currentThread().getName().startsWith(writerThread)) {
            hit.set(true);
            awaitRelease();
          }
          return true;
        });
  }

  private void awaitRelease() {
    try {
      released.await(LONGEST.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the replica's log writer started and was stalled. */
  boolean wasHit() {
    return hit.get();
  }

  /** Lets the stalled writer run. */
  void release() {
    released.countDown();
  }

  @Override
  public void close() {
    CodeInjectionForTesting.remove(injectionPoint);
    release();
  }

  private static String runWorkerInjectionPoint() {
    try {
      Field field =
          Class.forName("org.apache.ratis.server.raftlog.segmented.SegmentedRaftLogWorker")
              .getDeclaredField("RUN_WORKER");
      field.setAccessible(true);
      return (String) field.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Ratis no longer has the log writer injection point", e);
    }
  }
}
