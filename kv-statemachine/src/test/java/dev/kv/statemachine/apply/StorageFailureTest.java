package dev.kv.statemachine.apply;

import static dev.kv.statemachine.apply.Commands.b;
import static dev.kv.statemachine.apply.Commands.entry;
import static dev.kv.statemachine.apply.Commands.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.AppliedState;
import dev.kv.statemachine.proto.ClientSession;
import dev.kv.statemachine.proto.StoredValue;
import dev.kv.statemachine.storage.DataDigest;
import dev.kv.statemachine.storage.InMemoryKvStore;
import dev.kv.statemachine.storage.KvStore;
import dev.kv.statemachine.storage.StorageException;
import dev.kv.statemachine.storage.StorageKeys;
import dev.kv.statemachine.storage.WriteSet;
import java.io.IOException;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * A failing disk (the one thing these tests fake): apply must surface the failure, never report
 * the entry applied, and leave the store as it was, so the replica can be stopped and repaired.
 */
class StorageFailureTest {

  /** A store whose commits fail while {@code failing} is set, like a disk returning EIO. */
  static final class FailingDisk implements KvStore {
    final InMemoryKvStore healthy = new InMemoryKvStore();
    boolean failing;

    @Override
    public AppliedState appliedState() {
      return healthy.appliedState();
    }

    @Override
    public Optional<StoredValue> get(ByteString storageKey) {
      return healthy.get(storageKey);
    }

    @Override
    public Optional<ClientSession> session(ByteString clientId) {
      return healthy.session(clientId);
    }

    @Override
    public void forEachSession(BiConsumer<ByteString, ClientSession> visitor) {
      healthy.forEachSession(visitor);
    }

    @Override
    public void scan(ByteString after, ScanVisitor visitor) {
      healthy.scan(after, visitor);
    }

    @Override
    public void commit(WriteSet writes) {
      if (failing) {
        throw new StorageException("write failed", new IOException("Input/output error"));
      }
      healthy.commit(writes);
    }

    @Override
    public DataDigest digest() {
      return healthy.digest();
    }

    @Override
    public void close() {}
  }

  @Test
  void aFailedCommitPropagatesAndChangesNothing() {
    FailingDisk disk = new FailingDisk();
    Applier applier = new Applier(disk, ApplyConfig.DEFAULTS, OwnedRanges.WHOLE_RING);
    applier.apply(1, 1, entry(1, put("k", "before")));

    disk.failing = true;
    assertThatThrownBy(() -> applier.apply(1, 2, entry(1, put("k", "lost"))))
        .isInstanceOf(StorageException.class)
        .hasRootCauseMessage("Input/output error");
    assertThat(disk.appliedState().getIndex()).isEqualTo(1);
    assertThat(disk.get(StorageKeys.of(b("k"))).orElseThrow().getValue()).isEqualTo(b("before"));

    // After repair, the same entry applies normally: nothing half-applied was left behind.
    disk.failing = false;
    assertThat(applier.apply(1, 2, entry(1, put("k", "after")))).isPresent();
    assertThat(disk.get(StorageKeys.of(b("k"))).orElseThrow().getVersion()).isEqualTo(2);
  }
}
