package dev.kv.server.raft;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The time this node stamps on the entries it proposes to one group ({@code
 * LogEntry.proposed_at_millis}). Replicas keep max(stamps applied) as the group's clock and
 * expire idle clients' idempotency records by it.
 *
 * <p>The stamp is the largest group clock this node has seen in an entry's result, carried forward
 * by its monotonic clock since: never the node's wall clock. A node whose wall clock ran hours
 * ahead would otherwise move the group's clock forward by hours in one entry and so expire every
 * client's record at once; a retried write whose record was gone would apply twice (the chaos
 * suite's clock nemesis caught one: a version no client wrote). This way the group's clock
 * advances no faster than real time, whatever any wall clock says. A stamp that lags (no entry
 * seen yet, or this node was down) is harmless: the group keeps the larger clock it has, and
 * records only live a little longer.
 */
final class GroupClock {
  private final LongSupplier nanoTime;
  private long seenMillis;
  private long seenAtNanos;

  GroupClock(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.seenAtNanos = nanoTime.getAsLong();
  }

  static GroupClock system() {
    return new GroupClock(System::nanoTime);
  }

  /** The stamp for an entry proposed now. */
  synchronized long millis() {
    return at(nanoTime.getAsLong());
  }

  /** Learns the group's clock from an applied entry's result; an older value changes nothing. */
  synchronized void observe(long groupClockMillis) {
    long now = nanoTime.getAsLong();
    if (groupClockMillis > at(now)) {
      seenMillis = groupClockMillis;
      seenAtNanos = now;
    }
  }

  private long at(long nanos) {
    return seenMillis + TimeUnit.NANOSECONDS.toMillis(nanos - seenAtNanos);
  }
}
