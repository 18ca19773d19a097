package dev.kv.statemachine.storage;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.AppliedState;
import dev.kv.statemachine.proto.ClientSession;
import dev.kv.statemachine.proto.StoredValue;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;

/**
 * A heap-only {@link KvStore} for fast tests of the apply logic. It runs the same contract tests
 * as {@link RocksDbStore}. Not durable, and a scan does not see one point in time under
 * concurrent commits; fine for single-threaded tests.
 */
public final class InMemoryKvStore implements KvStore {
  private final NavigableMap<ByteString, StoredValue> data =
      new ConcurrentSkipListMap<>(ByteString.unsignedLexicographicalComparator());
  private final NavigableMap<ByteString, ClientSession> sessions =
      new ConcurrentSkipListMap<>(ByteString.unsignedLexicographicalComparator());
  private volatile AppliedState applied = AppliedState.getDefaultInstance();

  @Override
  public AppliedState appliedState() {
    return applied;
  }

  @Override
  public Optional<StoredValue> get(ByteString storageKey) {
    return Optional.ofNullable(data.get(storageKey));
  }

  @Override
  public Optional<ClientSession> session(ByteString clientId) {
    return Optional.ofNullable(sessions.get(clientId));
  }

  @Override
  public void forEachSession(BiConsumer<ByteString, ClientSession> visitor) {
    sessions.forEach(visitor);
  }

  @Override
  public void scan(ByteString after, ScanVisitor visitor) {
    Map<ByteString, StoredValue> tail = after.isEmpty() ? data : data.tailMap(after, false);
    for (Map.Entry<ByteString, StoredValue> e : tail.entrySet()) {
      if (!visitor.visit(e.getKey(), e.getValue())) {
        return;
      }
    }
  }

  @Override
  public synchronized void commit(WriteSet writes) {
    writes.data().forEach((k, v) -> v.ifPresentOrElse(x -> data.put(k, x), () -> data.remove(k)));
    writes
        .sessions()
        .forEach((k, v) -> v.ifPresentOrElse(x -> sessions.put(k, x), () -> sessions.remove(k)));
    applied = writes.applied();
  }

  /** Synchronized with {@link #commit}, so it sees one point in time. */
  @Override
  public synchronized DataDigest digest() {
    DataDigest.Builder digest = new DataDigest.Builder();
    data.forEach(digest::add);
    return digest.finish(applied.getIndex());
  }

  @Override
  public void close() {}
}
