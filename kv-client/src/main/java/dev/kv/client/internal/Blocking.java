package dev.kv.client.internal;

import dev.kv.client.KvException;
import dev.kv.client.KvOutcomeUnknownException;
import dev.kv.client.KvStatusException;
import io.grpc.Status;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Waits for an operation's future on behalf of the blocking methods. No timeout is needed here:
 * every operation carries its own deadline and always settles.
 */
final class Blocking {
  private Blocking() {}

  static <T> T awaitRead(CompletableFuture<T> future) {
    return await(future, false);
  }

  static <T> T awaitWrite(CompletableFuture<T> future) {
    return await(future, true);
  }

  private static <T> T await(CompletableFuture<T> future, boolean write) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof KvException kvException) {
        throw kvException;
      }
      throw new KvStatusException(Status.Code.UNKNOWN, "unexpected failure: " + cause, cause);
    } catch (CancellationException e) {
      throw new KvStatusException(Status.Code.CANCELLED, "cancelled", e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      if (write) {
        throw new KvOutcomeUnknownException(
            Status.Code.CANCELLED,
            "interrupted while waiting for a write; it may have been applied",
            e);
      }
      throw new KvStatusException(Status.Code.CANCELLED, "interrupted while waiting for a read", e);
    }
  }
}
