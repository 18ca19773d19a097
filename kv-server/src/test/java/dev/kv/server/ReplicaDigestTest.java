package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.kv.api.placement.GroupId;
import dev.kv.api.v1.GetReplicaDigestRequest;
import dev.kv.api.v1.ReplicaDigest;
import dev.kv.client.KvClient;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.config.RaftLogSettings;
import dev.kv.server.raft.RaftGroups;
import dev.kv.statemachine.proto.StoredValue;
import dev.kv.statemachine.storage.RocksDbResources;
import dev.kv.statemachine.storage.RocksDbStore;
import dev.kv.statemachine.storage.StorageKeys;
import dev.kv.statemachine.storage.WriteSet;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cluster.GetReplicaDigest on real nodes: equal replicas agree, a diverged replica does not. */
class ReplicaDigestTest {
  @TempDir Path dir;

  private static final ClusterSettings TWO_GROUPS =
      new ClusterSettings(2, 3, Duration.ofMinutes(5));
  private static final GroupId DATA1 = new GroupId("data-1");

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void replicasOfAGroupReportOneDigestAtOneIndexAndGroupsDiffer() {
    try (TestCluster cluster = TestCluster.start(dir, 3, RaftLogSettings.DEFAULTS, TWO_GROUPS);
        KvClient client = cluster.client()) {
      for (int i = 0; i < 40; i++) {
        client.put(b("key-" + i), b("v" + i));
      }
      List<ReplicaDigest> data0 = awaitOneAppliedIndex(cluster, TestCluster.DATA0);
      List<ReplicaDigest> data1 = awaitOneAppliedIndex(cluster, DATA1);

      assertThat(data0).extracting(ReplicaDigest::getSha256).containsOnly(data0.get(0).getSha256());
      assertThat(data1).extracting(ReplicaDigest::getSha256).containsOnly(data1.get(0).getSha256());
      assertThat(data0.get(0).getSha256().size()).isEqualTo(32);
      assertThat(data0.get(0).getEntries()).isPositive();
      assertThat(data1.get(0).getEntries()).isPositive();
      assertThat(data0.get(0).getEntries() + data1.get(0).getEntries()).isEqualTo(40);
      assertThat(data0.get(0).getSha256()).isNotEqualTo(data1.get(0).getSha256());
      assertThat(data0).extracting(ReplicaDigest::getNodeId).containsExactly("n1", "n2", "n3");
      List<ReplicaDigest> meta = awaitOneAppliedIndex(cluster, RaftGroups.META);
      assertThat(meta).extracting(ReplicaDigest::getSha256).containsOnly(meta.get(0).getSha256());
    }
  }

  @Test
  void unknownGroupsAndMalformedIdsGetClearErrors() {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      assertThatThrownBy(() -> cluster.clusterStub(0).getReplicaDigest(
              GetReplicaDigestRequest.newBuilder().setGroupId("data-7").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(e.getStatus().getDescription()).isEqualTo("node n1 hosts no replica of data-7");
          });
      assertThatThrownBy(() -> cluster.clusterStub(0).getReplicaDigest(
              GetReplicaDigestRequest.newBuilder().setGroupId("").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
  }

  /**
   * A replica whose data was changed behind Raft's back (as a storage bug or a bad repair would)
   * holds the same applied index as its peers but other content: its digest must differ.
   */
  @Test
  void aReplicaChangedBehindRaftsBackReportsAnotherDigestAtTheSameIndex() {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        KvClient client = cluster.client()) {
      for (int i = 0; i < 10; i++) {
        client.put(b("key-" + i), b("v" + i));
      }
      List<ReplicaDigest> before = awaitOneAppliedIndex(cluster, TestCluster.DATA0);
      assertThat(before).extracting(ReplicaDigest::getSha256).containsOnly(before.get(0).getSha256());

      cluster.stop(2);
      overwriteWithoutRaft(cluster.config(2).dataDir(), "key-3", "tampered");
      cluster.start(2);

      List<ReplicaDigest> after = awaitOneAppliedIndex(cluster, TestCluster.DATA0);
      assertThat(after.get(0).getSha256()).isEqualTo(after.get(1).getSha256());
      assertThat(after.get(2).getSha256()).isNotEqualTo(after.get(0).getSha256());
      assertThat(after.get(2).getEntries()).isEqualTo(after.get(0).getEntries());
    }
  }

  /** Rewrites one key's value in a stopped node's data-0 database, keeping its applied state. */
  private static void overwriteWithoutRaft(Path dataDir, String key, String value) {
    Path db = dataDir.resolve("raft")
        .resolve(RaftGroups.idOf(TestCluster.DATA0).getUuid().toString()).resolve("kv-db");
    try (RocksDbResources resources = RocksDbResources.defaults();
        RocksDbStore store = RocksDbStore.open(db, resources)) {
      ByteString storageKey = StorageKeys.of(ByteString.copyFromUtf8(key));
      StoredValue old = store.get(storageKey).orElseThrow();
      WriteSet writes = new WriteSet();
      writes.put(storageKey, old.toBuilder().setValue(ByteString.copyFromUtf8(value)).build());
      writes.setApplied(store.appliedState());
      store.commit(writes);
    }
  }

  /**
   * Every replica's digest of {@code group}, in node order, once all of them report the same
   * applied index (no writes are running, so they converge).
   */
  private static List<ReplicaDigest> awaitOneAppliedIndex(TestCluster cluster, GroupId group) {
    return await("every replica of " + group + " at one applied index")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> {
          List<ReplicaDigest> digests = new ArrayList<>();
          for (int i = 0; i < cluster.size(); i++) {
            digests.add(cluster.clusterStub(i).getReplicaDigest(
                GetReplicaDigestRequest.newBuilder().setGroupId(group.value()).build()));
          }
          return digests;
        }, d -> d.stream().map(ReplicaDigest::getAppliedIndex).distinct().count() == 1);
  }
}
