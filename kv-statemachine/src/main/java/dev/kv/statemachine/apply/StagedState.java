package dev.kv.statemachine.apply;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.ClientSession;
import dev.kv.statemachine.proto.StoredValue;
import dev.kv.statemachine.storage.KvStore;
import dev.kv.statemachine.storage.WriteSet;
import java.util.Optional;

/** The store as seen while one entry applies: committed state overlaid with the entry's writes. */
final class StagedState {
  private final KvStore store;
  private final WriteSet writes = new WriteSet();

  StagedState(KvStore store) {
    this.store = store;
  }

  Optional<StoredValue> get(ByteString storageKey) {
    Optional<StoredValue> pending = writes.pendingDataOrNull(storageKey);
    return pending != null ? pending : store.get(storageKey);
  }

  Optional<ClientSession> session(ByteString clientId) {
    Optional<ClientSession> pending = writes.pendingSessionOrNull(clientId);
    return pending != null ? pending : store.session(clientId);
  }

  boolean touchesSession(ByteString clientId) {
    return writes.pendingSessionOrNull(clientId) != null;
  }

  WriteSet writes() {
    return writes;
  }
}
