package dev.kv.server.raft;

import dev.kv.server.api.AppliedWrite;
import dev.kv.server.api.NotServingException;
import dev.kv.statemachine.apply.Applier;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.EntryResult;
import dev.kv.statemachine.proto.LogEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Group commit: coalesces the writes that arrive while earlier log entries are in flight into one
 * entry, so one Raft round (append, replicate, fsync) carries many writes. The first write on an
 * idle node goes out at once, alone; there is no linger. A batch is bounded by a count and by
 * bytes (it must fit one log entry); at most {@code maxInFlight} entries are outstanding, and at
 * most {@code maxQueued} writes wait, beyond which new writes are refused (not applied).
 *
 * <p>Entries are stamped with the group's clock as this node knows it ({@link GroupClock}), never
 * with the node's wall clock.
 *
 * <p>Per-write semantics do not change: the commands of an entry apply in order, each with its
 * own result, as if proposed one by one.
 *
 * <p>Linearizable reads use it too: a {@link #barrier()} rides on the next entry proposed, or
 * proposes an empty one when no write is waiting.
 */
final class WriteBatcher {
  private record Pending(Command command, int bytes, CompletableFuture<AppliedWrite> result) {}

  private final Function<LogEntry, CompletableFuture<EntryResult>> submit;
  private final GroupClock clock;
  private final int maxBatchCommands;
  private final int maxBatchBytes;
  private final int maxInFlight;
  private final int maxQueued;

  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** Barriers waiting for the next entry to be proposed. */
  private List<CompletableFuture<Long>> barriers = new ArrayList<>();
  private int inFlight;

  WriteBatcher(
      Function<LogEntry, CompletableFuture<EntryResult>> submit,
      GroupClock clock,
      int maxBatchCommands,
      int maxBatchBytes,
      int maxInFlight,
      int maxQueued) {
    this.submit = submit;
    this.clock = clock;
    this.maxBatchCommands = maxBatchCommands;
    this.maxBatchBytes = maxBatchBytes;
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
  }

  /** Queues a write; the future completes when the entry carrying it has been applied. */
  CompletableFuture<AppliedWrite> write(Command command) {
    Pending pending = new Pending(command, command.getSerializedSize(), new CompletableFuture<>());
    synchronized (this) {
      if (queue.size() >= maxQueued) {
        throw new NotServingException(
            "this node has " + queue.size() + " writes waiting for the log (the limit is "
                + maxQueued + "); retry later or use another node");
      }
      queue.add(pending);
    }
    sendReadyBatches();
    return pending.result();
  }

  /**
   * Completes with the log index of an entry proposed after this call, once that entry has been
   * committed and applied by the replica that answered for it: the next batch of writes, or an
   * entry with no commands if none is waiting.
   */
  CompletableFuture<Long> barrier() {
    CompletableFuture<Long> index = new CompletableFuture<>();
    synchronized (this) {
      barriers.add(index);
    }
    sendReadyBatches();
    return index;
  }

  /** Sends batches while there is room in flight; the sending happens outside the lock. */
  private void sendReadyBatches() {
    while (true) {
      List<Pending> batch;
      List<CompletableFuture<Long>> riders;
      synchronized (this) {
        if (inFlight >= maxInFlight || (queue.isEmpty() && barriers.isEmpty())) {
          return;
        }
        batch = takeBatch();
        riders = barriers;
        barriers = new ArrayList<>();
        inFlight++;
      }
      send(batch, riders);
    }
  }

  /** Takes the longest prefix of the queue within the bounds; at least one write if any waits. */
  private List<Pending> takeBatch() {
    List<Pending> batch = new ArrayList<>();
    int bytes = 0;
    while (!queue.isEmpty() && batch.size() < maxBatchCommands) {
      Pending next = queue.peek();
      if (!batch.isEmpty() && bytes + next.bytes() > maxBatchBytes) {
        break;
      }
      batch.add(queue.poll());
      bytes += next.bytes();
    }
    return batch;
  }

  private void send(List<Pending> batch, List<CompletableFuture<Long>> riders) {
    propose(
        batch.stream().map(Pending::command).toList(),
        (result, failure) -> {
          synchronized (this) {
            inFlight--;
          }
          for (CompletableFuture<Long> rider : riders) {
            if (failure != null) {
              rider.completeExceptionally(failure);
            } else {
              rider.complete(result.getIndex());
            }
          }
          for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<AppliedWrite> future = batch.get(i).result();
            if (failure != null) {
              future.completeExceptionally(failure);
            } else if (i >= result.getResultsCount()) {
              future.completeExceptionally(
                  new IllegalStateException(
                      "entry " + result.getIndex() + " returned " + result.getResultsCount()
                          + " results for " + batch.size() + " commands"));
            } else {
              future.complete(new AppliedWrite(result.getResults(i), result.getIndex()));
            }
          }
          sendReadyBatches();
        });
  }

  /**
   * Proposes one entry carrying {@code commands}, stamped with the group's clock, and calls
   * {@code then} with its outcome once the clock has observed its result. A replica that cannot
   * propose (not the leader, closing) fails it rather than throwing.
   */
  private void propose(List<Command> commands, BiConsumer<EntryResult, Throwable> then) {
    LogEntry entry =
        LogEntry.newBuilder()
            .setProposedAtMillis(clock.millis())
            .addAllCommands(commands)
            .setFormatVersion(Applier.formatVersionFor(commands))
            .build();
    CompletableFuture<EntryResult> sent;
    try {
      sent = submit.apply(entry);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (result, failure) -> {
          if (failure == null) {
            clock.observe(result.getClockMillis());
          }
          then.accept(result, failure);
        });
  }

  synchronized int queued() {
    return queue.size();
  }
}
