package dev.kv.statemachine.storage;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.AppliedState;
import dev.kv.statemachine.proto.ClientSession;
import dev.kv.statemachine.proto.StoredValue;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The storage of one replica of one group: user data ordered by storage key, client sessions and
 * the applied state. {@link #commit} is atomic: after a crash either all of a write set is visible
 * or none of it, so the applied index always describes exactly the data present.
 *
 * <p>Any method may throw {@link StorageException}; callers must not continue after one.
 */
public interface KvStore extends AutoCloseable {

  /** What has been applied; the default instance (index 0) when nothing has. */
  AppliedState appliedState();

  Optional<StoredValue> get(ByteString storageKey);

  Optional<ClientSession> session(ByteString clientId);

  /** Visits every client session (in client id order). */
  void forEachSession(BiConsumer<ByteString, ClientSession> visitor);

  /**
   * Visits data entries in storage key order, starting strictly after {@code after} (from the
   * first entry when it is empty), until the visitor returns false or the data ends. The visit
   * sees one consistent point in time.
   */
  void scan(ByteString after, ScanVisitor visitor);

  void commit(WriteSet writes);

  /**
   * A digest of the user data together with the applied index it is the state at, both read at
   * one point in time (never torn by a concurrent commit).
   */
  DataDigest digest();

  @Override
  void close();

  /** Receives scanned entries. */
  @FunctionalInterface
  interface ScanVisitor {
    /** Returns false to stop the scan. */
    boolean visit(ByteString storageKey, StoredValue value);
  }
}
