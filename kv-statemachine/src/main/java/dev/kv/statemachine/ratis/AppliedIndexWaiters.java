package dev.kv.statemachine.ratis;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Futures that complete once a replica has applied a given log index. The apply thread calls
 * {@link #advance} after every entry; while nobody waits that costs an atomic update and a
 * volatile read.
 */
final class AppliedIndexWaiters {
  private static final long NONE = Long.MAX_VALUE;

  /** The index of the oldest future still waiting; {@link #NONE} when none waits. */
  private volatile long lowestWaiting = NONE;
  private final AtomicLong applied = new AtomicLong();
  /** Index to the futures waiting for it; guarded by this. */
  private final TreeMap<Long, List<CompletableFuture<Void>>> waiting = new TreeMap<>();
  /** Set once closed: later waits fail with it. Guarded by this. */
  private RuntimeException closed;

  /** Completes once {@code index} is applied; at once when it already is. */
  CompletableFuture<Void> await(long index) {
    if (index <= applied.get()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> future = new CompletableFuture<>();
    synchronized (this) {
      if (closed != null) {
        return CompletableFuture.failedFuture(closed);
      }
      waiting.computeIfAbsent(index, i -> new ArrayList<>(1)).add(future);
      lowestWaiting = waiting.firstKey();
    }
    // The applier may have passed the index between the first check and the registration; it
    // publishes the applied index before it reads lowestWaiting, so one of the two sees the other.
    if (index <= applied.get()) {
      completeUpTo(applied.get());
    }
    return future;
  }

  /** Records that everything up to {@code index} is applied, and completes who waited for it. */
  void advance(long index) {
    completeUpTo(applied.accumulateAndGet(index, Math::max));
  }

  private void completeUpTo(long index) {
    if (index < lowestWaiting) {
      return;
    }
    List<CompletableFuture<Void>> ready = new ArrayList<>();
    synchronized (this) {
      while (!waiting.isEmpty() && waiting.firstKey() <= index) {
        ready.addAll(waiting.pollFirstEntry().getValue());
      }
      lowestWaiting = waiting.isEmpty() ? NONE : waiting.firstKey();
    }
    ready.forEach(f -> f.complete(null));
  }

  /** Fails every waiting future and every later wait with {@code reason}. */
  void close(RuntimeException reason) {
    List<CompletableFuture<Void>> failed = new ArrayList<>();
    synchronized (this) {
      closed = reason;
      waiting.values().forEach(failed::addAll);
      waiting.clear();
      lowestWaiting = NONE;
    }
    failed.forEach(f -> f.completeExceptionally(reason));
  }

  /** For tests: how many futures wait. */
  synchronized int waitingCount() {
    return waiting.values().stream().mapToInt(List::size).sum();
  }
}
