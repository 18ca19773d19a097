package dev.kv.statemachine.storage;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.AppliedState;
import dev.kv.statemachine.proto.ClientSession;
import dev.kv.statemachine.proto.StoredValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one log entry changes, committed to storage atomically: data writes, client session
 * writes and the new applied state. Reads during apply go through it, so a later command of the
 * same entry sees the writes of an earlier one. A value of {@link Optional#empty()} is a delete.
 */
public final class WriteSet {
  private final Map<ByteString, Optional<StoredValue>> data = new LinkedHashMap<>();
  private final Map<ByteString, Optional<ClientSession>> sessions = new LinkedHashMap<>();
  private AppliedState applied;

  public void put(ByteString storageKey, StoredValue value) {
    data.put(storageKey, Optional.of(value));
  }

  public void delete(ByteString storageKey) {
    data.put(storageKey, Optional.empty());
  }

  public void putSession(ByteString clientId, ClientSession session) {
    sessions.put(clientId, Optional.of(session));
  }

  public void deleteSession(ByteString clientId) {
    sessions.put(clientId, Optional.empty());
  }

  public void setApplied(AppliedState applied) {
    this.applied = Objects.requireNonNull(applied);
  }

  /** The pending write of a data key, or null when this set does not touch it. */
  public Optional<StoredValue> pendingDataOrNull(ByteString storageKey) {
    return data.get(storageKey);
  }

  /** The pending write of a session, or null when this set does not touch it. */
  public Optional<ClientSession> pendingSessionOrNull(ByteString clientId) {
    return sessions.get(clientId);
  }

  public Map<ByteString, Optional<StoredValue>> data() {
    return Collections.unmodifiableMap(data);
  }

  public Map<ByteString, Optional<ClientSession>> sessions() {
    return Collections.unmodifiableMap(sessions);
  }

  public AppliedState applied() {
    if (applied == null) {
      throw new IllegalStateException("a write set must carry the applied state it commits");
    }
    return applied;
  }
}
