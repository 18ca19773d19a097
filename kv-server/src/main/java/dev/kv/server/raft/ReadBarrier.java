package dev.kv.server.raft;

import dev.kv.server.api.NotServingException;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Linearizable reads that share one barrier. A read is linearizable if it is served from a
 * replica that has applied everything committed before the read arrived. A barrier (a ReadIndex
 * round or an entry proposed to the group's log, complete once the local replica has applied
 * what it proves committed; see GroupChannel) begun after a read arrived proves exactly that, so
 * every read that was waiting when a barrier began is served from local state as soon as that
 * barrier completes. Reads that arrive while a barrier is in flight wait for the next one: the
 * barrier in flight began before they arrived. This is how etcd shares one ReadIndex among many
 * reads.
 */
final class ReadBarrier {
  private final Supplier<CompletableFuture<?>> barrier;
  private final Function<ReadRequest, ReadResult> readLocal;
  private final int maxWaiting;

  private List<Waiting> waiting = new ArrayList<>();
  private boolean barrierInFlight;

  private record Waiting(ReadRequest read, CompletableFuture<ReadResult> result) {}

  /**
   * @param barrier starts one barrier, whose future completes once the local replica has applied
   *     an entry proposed after the call
   * @param readLocal reads the local replica's applied state
   * @param maxWaiting reads beyond this many waiting are refused (not served)
   */
  ReadBarrier(
      Supplier<CompletableFuture<?>> barrier,
      Function<ReadRequest, ReadResult> readLocal,
      int maxWaiting) {
    this.barrier = barrier;
    this.readLocal = readLocal;
    this.maxWaiting = maxWaiting;
  }

  CompletableFuture<ReadResult> read(ReadRequest read) {
    CompletableFuture<ReadResult> result = new CompletableFuture<>();
    synchronized (this) {
      if (waiting.size() >= maxWaiting) {
        throw new NotServingException(
            "this node has " + waiting.size() + " linearizable reads waiting (the limit is "
                + maxWaiting + "); retry later or use another node");
      }
      waiting.add(new Waiting(read, result));
    }
    sendBarrierIfIdle();
    return result;
  }

  private void sendBarrierIfIdle() {
    // A loop, not a recursion, for barriers that complete at once (a group of one voter).
    while (true) {
      List<Waiting> covered;
      synchronized (this) {
        if (barrierInFlight || waiting.isEmpty()) {
          return;
        }
        barrierInFlight = true;
        covered = waiting;
        waiting = new ArrayList<>();
      }
      CompletableFuture<?> sent;
      try {
        sent = barrier.get();
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      if (!sent.isDone()) {
        sent.whenComplete(
            (ignored, failure) -> {
              barrierDone();
              sendBarrierIfIdle();
              serve(covered, failure);
            });
        return;
      }
      // Served while still marked in flight, so reads arriving meanwhile (on this thread too)
      // only queue, for the next turn of this loop.
      serve(covered, sent.handle((ignored, failure) -> failure).join());
      barrierDone();
    }
  }

  private synchronized void barrierDone() {
    barrierInFlight = false;
  }

  private void serve(List<Waiting> covered, Throwable failure) {
    for (Waiting w : covered) {
      if (failure != null) {
        w.result().completeExceptionally(failure);
      } else {
        try {
          w.result().complete(readLocal.apply(w.read()));
        } catch (RuntimeException e) {
          w.result().completeExceptionally(e);
        }
      }
    }
  }
}
