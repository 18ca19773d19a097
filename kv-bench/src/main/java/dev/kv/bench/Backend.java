package dev.kv.bench;

import java.util.concurrent.CompletableFuture;

/**
 * One store under test, seen through the few operations the workloads use. Every method is
 * asynchronous and thread-safe: the driver keeps up to one call in flight per simulated client and
 * chains the next call on the completion of the previous one, so an implementation must never block
 * the calling thread. A failure completes the future exceptionally; it is counted, not thrown.
 */
public interface Backend extends AutoCloseable {

  /** Short name used in reports, e.g. "kv" or "etcd". */
  String name();

  /** Writes one key unconditionally, durably (acknowledged once a majority has it). */
  CompletableFuture<?> put(byte[] key, byte[] value);

  /** Reads one key so that the answer reflects every write acknowledged before the call. */
  CompletableFuture<?> getLinearizable(byte[] key);

  /** Reads one key from whichever replica answers, without a quorum round; may be stale. */
  CompletableFuture<?> getSerializable(byte[] key);

  /**
   * A short, stable label for a failure, used to count errors by kind (e.g. "UNAVAILABLE"). The
   * default is the exception's class name; implementations add the status code they know of.
   */
  default String errorKind(Throwable error) {
    return error.getClass().getSimpleName();
  }

  /** Releases connections and threads; calls still in flight may fail. */
  @Override
  void close();
}
