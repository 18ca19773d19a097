package dev.kv.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The data operations of the key-value service. {@link KvClient} implements them with its default
 * timeout; {@link #withTimeout} gives a view with another one.
 *
 * <p><b>Errors.</b> Blocking methods throw a {@link KvException}; {@code ...Async} methods never
 * throw for a failed operation, they complete their future exceptionally with one (including for
 * invalid arguments, which are rejected before any RPC). A null argument is a programming error and
 * throws {@link NullPointerException} at once.
 *
 * <p><b>Retries and exactly-once writes.</b> Every operation is retried, moving to the next
 * endpoint, while the server is unavailable, an attempt times out, or the routing changed, until
 * the operation's timeout runs out. Each write carries an id that stays the same across its
 * retries, so the server applies it at most once and answers a retry with the first result. A write
 * that ends without a definitive answer fails with {@link KvOutcomeUnknownException}, never with a
 * plain failure: it may have been applied.
 *
 * <p><b>Threads.</b> All methods are thread-safe. Futures complete on a gRPC thread unless the
 * client was built with a callback executor, so do not block inside their callbacks. Cancelling a
 * future cancels the operation; a write cancelled after it was sent may still be applied.
 */
public interface KvOperations {

  /** Reads a key with linearizable consistency; empty when the key is absent. */
  Optional<VersionedValue> get(byte[] key);

  /** Reads a key; empty when the key is absent. */
  Optional<VersionedValue> get(byte[] key, ReadConsistency consistency);

  /** Reads a key given as a UTF-8 string, with linearizable consistency. */
  default Optional<VersionedValue> get(String key) {
    return get(utf8(key));
  }

  CompletableFuture<Optional<VersionedValue>> getAsync(byte[] key);

  CompletableFuture<Optional<VersionedValue>> getAsync(byte[] key, ReadConsistency consistency);

  /** Writes a key unconditionally and returns its new version. */
  long put(byte[] key, byte[] value);

  /** Writes a key and value given as UTF-8 strings and returns the key's new version. */
  default long put(String key, String value) {
    return put(utf8(key), utf8(value));
  }

  CompletableFuture<Long> putAsync(byte[] key, byte[] value);

  /** Deletes a key; returns whether it existed. Deleting an absent key is not an error. */
  boolean delete(byte[] key);

  /** Deletes a key given as a UTF-8 string; returns whether it existed. */
  default boolean delete(String key) {
    return delete(utf8(key));
  }

  CompletableFuture<Boolean> deleteAsync(byte[] key);

  /**
   * Writes {@code newValue}, or deletes the key when {@code newValue} is null, if and only if
   * {@code condition} holds on the key's current state. A failed condition is an ordinary result.
   */
  CasResult compareAndSet(byte[] key, Condition condition, byte[] newValue);

  CompletableFuture<CasResult> compareAndSetAsync(byte[] key, Condition condition, byte[] newValue);

  /** Returns one page of entries; see {@link ScanOptions} for the order and filtering. */
  ScanPage scan(ScanOptions options);

  CompletableFuture<ScanPage> scanAsync(ScanOptions options);

  /**
   * Every entry from {@code options.cursor()} to the end, fetched lazily one page at a time as the
   * stream is consumed; each page gets this view's full timeout. Entries written or deleted during
   * the scan may or may not appear.
   */
  Stream<KeyValue> scanAll(ScanOptions options);

  /**
   * A view of these operations whose calls each get {@code timeout} in total, retries included. The
   * view shares the client's connections; closing the client ends it too.
   */
  KvOperations withTimeout(Duration timeout);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
