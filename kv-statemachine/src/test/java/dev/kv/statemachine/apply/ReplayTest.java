package dev.kv.statemachine.apply;

import static dev.kv.statemachine.apply.Commands.cas;
import static dev.kv.statemachine.apply.Commands.delete;
import static dev.kv.statemachine.apply.Commands.entry;
import static dev.kv.statemachine.apply.Commands.put;
import static dev.kv.statemachine.apply.Commands.versionEquals;
import static dev.kv.statemachine.apply.Commands.withId;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.LogEntry;
import dev.kv.statemachine.proto.StoredValue;
import dev.kv.statemachine.storage.RocksDbResources;
import dev.kv.statemachine.storage.RocksDbStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash-recovery invariant: the applied index is stored with the data it covers, so after a
 * restart Ratis may replay any suffix of the log and nothing already applied changes.
 */
class ReplayTest {
  @TempDir Path dir;

  private final List<LogEntry> log =
      List.of(
          entry(1, put("a", "1")),
          entry(2, put("a", "2"), withId(put("b", "1"), "c1", 1, 1)),
          entry(3, cas("a", versionEquals(2), "3")),
          entry(4, delete("b"), put("c", "1")),
          entry(5, withId(put("b", "again"), "c1", 2, 2)));

  @Test
  void replayingAlreadyAppliedEntriesAfterReopenChangesNothing() {
    try (RocksDbResources resources = RocksDbResources.defaults()) {
      Map<ByteString, StoredValue> before;
      try (RocksDbStore store = RocksDbStore.open(dir, resources)) {
        Applier applier = new Applier(store, ApplyConfig.DEFAULTS, OwnedRanges.WHOLE_RING);
        for (int i = 0; i < log.size(); i++) {
          assertThat(applier.apply(1, i + 1, log.get(i))).isPresent();
        }
        before = contents(store);
      }
      try (RocksDbStore store = RocksDbStore.open(dir, resources)) {
        assertThat(store.appliedState().getIndex()).isEqualTo(log.size());
        Applier applier = new Applier(store, ApplyConfig.DEFAULTS, OwnedRanges.WHOLE_RING);
        for (int i = 0; i < log.size(); i++) {
          assertThat(applier.apply(1, i + 1, log.get(i))).isEmpty();
        }
        assertThat(contents(store)).isEqualTo(before);
        assertThat(contents(store)).hasSize(3);
      }
    }
  }

  @Test
  void crashBeforeTheLastEntriesWereStoredReplaysExactlyThose() {
    try (RocksDbResources resources = RocksDbResources.defaults()) {
      Map<ByteString, StoredValue> uninterrupted;
      try (RocksDbStore reference = RocksDbStore.open(dir.resolve("reference"), resources)) {
        Applier applier = new Applier(reference, ApplyConfig.DEFAULTS, OwnedRanges.WHOLE_RING);
        for (int i = 0; i < log.size(); i++) {
          applier.apply(1, i + 1, log.get(i));
        }
        uninterrupted = contents(reference);
      }
      // "Crash" after entry 2 was committed to RocksDB, then Ratis replays from its log start.
      try (RocksDbStore store = RocksDbStore.open(dir.resolve("crashed"), resources)) {
        Applier applier = new Applier(store, ApplyConfig.DEFAULTS, OwnedRanges.WHOLE_RING);
        applier.apply(1, 1, log.get(0));
        applier.apply(1, 2, log.get(1));
      }
      try (RocksDbStore store = RocksDbStore.open(dir.resolve("crashed"), resources)) {
        Applier applier = new Applier(store, ApplyConfig.DEFAULTS, OwnedRanges.WHOLE_RING);
        for (int i = 0; i < log.size(); i++) {
          applier.apply(1, i + 1, log.get(i));
        }
        assertThat(contents(store)).isEqualTo(uninterrupted);
      }
    }
  }

  private static Map<ByteString, StoredValue> contents(RocksDbStore store) {
    Map<ByteString, StoredValue> all = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    store.scan(ByteString.EMPTY, (k, v) -> all.put(k, v) == null);
    return all;
  }
}
