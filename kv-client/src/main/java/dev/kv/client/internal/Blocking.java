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

  /**
   * The class of gRPC's transport threads (grpc-netty-shaded's Netty), on which the client's
   * futures complete by default. The SDK compiles against the gRPC API only, hence the name.
   */
  private static final String TRANSPORT_THREAD_CLASS =
      "io.grpc.netty.shaded.io.netty.util.concurrent.FastThreadLocalThread";

  private static <T> T await(CompletableFuture<T> future, boolean write) {
    if (!future.isDone() && onTransportThread()) {
      // The reply would have to be read by this very thread, or one it waits on: a deadlock.
      throw new IllegalStateException(
          "a blocking KvClient call was made on a gRPC transport thread, which completes the"
              + " client's futures by default and must not wait for a reply: call the async"
              + " method instead, or build the client with a callbackExecutor");
    }
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

  private static boolean onTransportThread() {
    for (Class<?> c = Thread.currentThread().getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals(TRANSPORT_THREAD_CLASS)) {
        return true;
      }
    }
    return false;
  }
}
