package dev.kv.statemachine.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;

class RocksDbStoreTest extends KvStoreContract {
  private static RocksDbResources resources;
  @TempDir Path dir;

  @BeforeAll
  static void shared() {
    resources = RocksDbResources.defaults();
  }

  @AfterAll
  static void closeShared() {
    resources.close();
  }

  @Override
  protected KvStore newStore() {
    return RocksDbStore.open(dir.resolve("db"), resources);
  }

  @Override
  protected KvStore newOtherStore() {
    return RocksDbStore.open(dir.resolve("other"), resources);
  }

  @Test
  void stateSurvivesReopen() {
    WriteSet w = writes(42);
    w.put(bytes("k"), value("v", 3));
    store.commit(w);
    store.close();

    store = RocksDbStore.open(dir.resolve("db"), resources);
    assertThat(store.appliedState().getIndex()).isEqualTo(42);
    assertThat(store.get(bytes("k"))).contains(value("v", 3));
  }

  @Test
  void checkpointIsAnIndependentCopyAtThatPoint() {
    WriteSet w = writes(5);
    w.put(bytes("k"), value("before", 1));
    store.commit(w);
    Path checkpoint = dir.resolve("checkpoint");
    ((RocksDbStore) store).checkpoint(checkpoint);

    WriteSet later = writes(6);
    later.put(bytes("k"), value("after", 2));
    store.commit(later);

    try (RocksDbStore copy = RocksDbStore.open(checkpoint, resources)) {
      assertThat(copy.appliedState().getIndex()).isEqualTo(5);
      assertThat(copy.get(bytes("k"))).contains(value("before", 1));
    }
  }

  @Test
  void aCheckpointOpensReadOnlyBesideTheLiveDatabaseAndRefusesWrites() {
    WriteSet w = writes(5);
    w.put(bytes("a"), value("1", 1));
    w.put(bytes("b"), value("2", 4));
    store.commit(w);
    Path checkpoint = dir.resolve("checkpoint");
    ((RocksDbStore) store).checkpoint(checkpoint);
    WriteSet later = writes(6);
    later.delete(bytes("a"));
    store.commit(later);

    try (RocksDbStore copy = RocksDbStore.openReadOnly(checkpoint)) {
      assertThat(copy.appliedState().getIndex()).isEqualTo(5);
      java.util.List<String> keys = new java.util.ArrayList<>();
      copy.scan(com.google.protobuf.ByteString.EMPTY, (key, value) -> keys.add(key.toStringUtf8()));
      assertThat(keys).containsExactly("a", "b");
      assertThatThrownBy(() -> copy.commit(writes(7))).isInstanceOf(StorageException.class);
    }
    assertThat(store.get(bytes("a"))).isEmpty();
  }

  @Test
  void openingAMissingCheckpointReadOnlyFailsNamingThePath() {
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> RocksDbStore.openReadOnly(missing))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void storesOfResourcesWithStatisticsAddToTheSharedStatistics() {
    try (RocksDbResources withStatistics = new RocksDbResources(8L << 20, 4L << 20, 1, true)) {
      Statistics statistics = withStatistics.statistics().orElseThrow();
      try (RocksDbStore a = RocksDbStore.open(dir.resolve("a"), withStatistics);
          RocksDbStore b = RocksDbStore.open(dir.resolve("b"), withStatistics)) {
        long before = statistics.getTickerCount(TickerType.NUMBER_KEYS_WRITTEN);
        WriteSet w = writes(1);
        w.put(bytes("k"), value("v", 1));
        a.commit(w);
        WriteSet w2 = writes(1);
        w2.put(bytes("k"), value("v", 1));
        b.commit(w2);

        // Each commit writes the data and the applied index: at least two keys per store.
        assertThat(statistics.getTickerCount(TickerType.NUMBER_KEYS_WRITTEN))
            .isGreaterThanOrEqualTo(before + 4);
      }
    }
    assertThat(resources.statistics()).isEmpty();
  }

  @Test
  void openOnAFileFailsWithAStorageErrorNamingThePath() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(() -> RocksDbStore.open(file, resources))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file.toString());
  }
}
