package dev.kv.statemachine.ratis;

/**
 * Keeps a snapshot install from landing while Ratis still loads the previous one.
 *
 * <p>Ratis 3.3.0 installs a snapshot on a follower in two threads. The thread receiving the last
 * chunk pauses the state machine, swaps the snapshot directory and asks the apply thread to
 * reload. The apply thread calls {@code reinitialize()} and, once it returns, marks itself running
 * again. A second install finishing in between is lost: its reload request is overwritten by that
 * "running", or its directory swap races the first reload. The replica then holds the first
 * snapshot while its log starts after the second, and can never apply again (found by the chaos
 * suite's snapshot-install scenario, which hung: the replica won an election and stayed a leader
 * that is never ready).
 *
 * <p>So a pause is refused from the start of a reload until the apply thread is seen back at
 * work: its first call into the state machine after {@code reinitialize()} returned. Ratis makes
 * that call only once it runs again (it checks the applied index for its automatic snapshots at
 * least every 100 ms, and kvd always enables them). A refused pause fails the install, and the
 * leader sends the snapshot again.
 *
 * <p>Kvd never pauses a replica through Ratis' admin API, whose resume also calls {@code
 * reinitialize()}, from another thread.
 */
final class SnapshotReloadGuard {
  private boolean reloading;
  /** The thread whose {@code reinitialize()} returned, until it calls in again; else null. */
  private volatile Thread reloadedOn;

  /** Called when {@code reinitialize()} starts: pauses are refused from now on. */
  synchronized void reloadStarted() {
    reloading = true;
    reloadedOn = null;
  }

  /** Called as {@code reinitialize()} returns, on the thread that ran it. */
  synchronized void reloadReturned() {
    reloadedOn = Thread.currentThread();
  }

  /**
   * Called on each call Ratis' apply thread makes into the state machine (apply, applied index,
   * snapshot): the first one after a reload shows that Ratis finished it.
   */
  void onCallFromRatis() {
    if (reloadedOn == Thread.currentThread()) {
      synchronized (this) {
        reloadedOn = null;
        reloading = false;
      }
    }
  }

  /**
   * Runs {@code pause} unless a reload is under way.
   *
   * @throws IllegalStateException when one is, naming the replica
   */
  synchronized void unlessReloading(Object replica, Runnable pause) {
    if (reloading) {
      throw new IllegalStateException(
          replica + ": the previous snapshot is still being loaded; the leader resends this one");
    }
    pause.run();
  }
}
