package dev.kv.client.internal;

import com.google.protobuf.ByteString;
import dev.kv.api.v1.WriteId;
import java.util.TreeSet;

/**
 * Numbers this client's writes for exactly-once retries and tracks which are still in flight.
 *
 * <p>Each logical write gets the next sequence (1, 2, 3, ...) once, in {@link #begin()}, and every
 * retry of it re-sends that same {@link WriteId}. {@code acked_below} tells the server which
 * results it may forget: the smallest sequence still in flight here, or the next sequence when none
 * is. It must never pass a write that could still be retried, so assigning a sequence and marking
 * it in flight happen atomically with respect to computing {@code acked_below}.
 */
final class WriteSequencer {
  private final ByteString clientId;

  // Guarded by this. A handful of entries per client at a time; a tree keeps the minimum cheap.
  private final TreeSet<Long> inFlight = new TreeSet<>();
  private long nextSequence = 1;

  WriteSequencer(ByteString clientId) {
    this.clientId = clientId;
  }

  /** Assigns the next sequence, marks it in flight and returns the id all its attempts carry. */
  synchronized WriteId begin() {
    long sequence = nextSequence++;
    inFlight.add(sequence);
    return WriteId.newBuilder()
        .setClientId(clientId)
        .setSequence(sequence)
        .setAckedBelow(inFlight.first())
        .build();
  }

  /**
   * Marks a write as settled: answered, failed, abandoned or cancelled. It will never be sent
   * again, so the server may forget its result.
   */
  synchronized void finish(long sequence) {
    if (!inFlight.remove(sequence)) {
      throw new IllegalStateException("write " + sequence + " is not in flight");
    }
  }

  /** What a write beginning now would carry as {@code acked_below}. */
  synchronized long ackedBelow() {
    return inFlight.isEmpty() ? nextSequence : inFlight.first();
  }
}
