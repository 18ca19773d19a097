package dev.kv.server;

import dev.kv.statemachine.ratis.KvStateMachine;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.util.CodeInjectionForTesting;

/**
 * Holds one thread of one group replica at an injection point (Ratis' {@link
 * CodeInjectionForTesting}) until {@link #release()}, as a stalled disk would; everything else of
 * the replica runs. {@link #wasHit()} tells whether a thread really was held.
 */
final class InjectedStall implements AutoCloseable {
  /** A stall that nobody releases ends by itself, so a failing test cannot hang the JVM. */
  private static final Duration LONGEST = Duration.ofMinutes(5);

  private final String injectionPoint;
  private final CountDownLatch released = new CountDownLatch(1);
  private final AtomicBoolean hit = new AtomicBoolean();

  private InjectedStall(String injectionPoint, Matcher matches) {
    this.injectionPoint = injectionPoint;
    CodeInjectionForTesting.put(
        injectionPoint,
        (localId, remoteId, args) -> {
          if (matches.test(localId, args)) {
            hit.set(true);
            awaitRelease();
          }
          return true;
        });
  }

  private interface Matcher {
    boolean test(Object localId, Object[] args);
  }

  /**
   * Holds back the Raft log writes of {@code replica}: it accepts entries into its log cache,
   * but none is written (so none is acknowledged). Votes, snapshot install and apply run.
   *
   * <p>It uses the injection point Ratis runs when a log's writer thread starts ({@code
   * SegmentedRaftLogWorker.RUN_WORKER}), so it must be armed before the replica starts, and it
   * stalls only a writer whose thread is named after {@code replica} (Ratis names it {@code
   * <member id>-SegmentedRaftLogWorker}).
   */
  static InjectedStall raftLogWrites(RaftGroupMemberId replica) {
    String writerThread = replica + "-";
    return new InjectedStall(
        ratisInjectionPoint(
            "org.apache.ratis.server.raftlog.segmented.SegmentedRaftLogWorker", "RUN_WORKER"),
        (localId, args) -> Thread.currentThread().getName().startsWith(writerThread));
  }

  /**
   * Holds {@code replica}'s snapshot reload open: its apply thread stops as {@link
   * KvStateMachine#reinitialize()} is about to return, the new snapshot loaded.
   */
  static InjectedStall snapshotReload(RaftGroupMemberId replica) {
    return new InjectedStall(
        KvStateMachine.REINITIALIZE_RETURNING,
        (localId, args) ->
            replica.getPeerId().equals(localId) && replica.getGroupId().equals(args[0]));
  }

  /** The name of one of Ratis' own injection points, a constant it does not make public. */
  static String ratisInjectionPoint(String className, String field) {
    try {
      Field constant = Class.forName(className).getDeclaredField(field);
      constant.setAccessible(true);
      return (String) constant.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "Ratis no longer has the injection point " + className + "." + field, e);
    }
  }

  private void awaitRelease() {
    try {
      released.await(LONGEST.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether a matching thread reached the injection point and was held. */
  boolean wasHit() {
    return hit.get();
  }

  /** Lets the held thread run. */
  void release() {
    released.countDown();
  }

  @Override
  public void close() {
    CodeInjectionForTesting.remove(injectionPoint);
    release();
  }
}
