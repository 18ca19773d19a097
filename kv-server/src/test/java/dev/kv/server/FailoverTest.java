package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.kv.api.v1.Consistency;
import dev.kv.api.v1.GetRequest;
import dev.kv.client.KvClient;
import dev.kv.server.config.RaftLogSettings;
import dev.kv.server.raft.ReplicaStatuses;
import dev.kv.server.raft.RaftGroups;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leader loss, restarts and catch-up, on a 3-node in-JVM cluster. */
class FailoverTest {
  @TempDir Path dir;

  @Test
  void afterTheLeaderStopsANewLeaderServesEveryAcknowledgedWrite() {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        KvClient client = cluster.client()) {
      for (int i = 0; i < 50; i++) {
        assertThat(client.put("f:" + i, "v" + i)).isEqualTo(1);
      }
      int oldLeader = cluster.awaitLeader();
      cluster.stop(oldLeader);

      int newLeader = cluster.awaitLeader();
      assertThat(newLeader).isNotEqualTo(oldLeader);
      for (int i = 0; i < 50; i++) {
        assertThat(client.get("f:" + i).orElseThrow().valueAsString()).isEqualTo("v" + i);
      }
      assertThat(client.put("f:0", "after")).isEqualTo(2);

      // The stopped node restarts from its data and catches up with what it missed.
      cluster.start(oldLeader);
      awaitLocalValue(cluster, oldLeader, "f:0", "after");
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  @Test
  void aNodeKeptDownPastSnapshotsCatchesUpBySnapshotInstall() throws IOException {
    // Snapshot every 20 entries with tiny log segments, so the leader purges what the
    // stopped follower would need and must send it a snapshot instead.
    RaftLogSettings frequentSnapshots = new RaftLogSettings(20, 4096);
    try (TestCluster cluster = TestCluster.start(dir, 3, frequentSnapshots);
        KvClient client = cluster.client()) {
      client.put("s:before", "1");
      int follower = cluster.aFollower();
      cluster.stop(follower);

      for (int i = 0; i < 300; i++) {
        client.put("s:" + i, "value-" + i);
      }
      int leader = cluster.awaitLeader();
      // The node's status reports where its log now starts (what the chaos suite waits on).
      long leaderLogStart =
          ReplicaStatuses.of(cluster.node(leader).raft()).getReplicasList().stream()
              .filter(r -> r.getGroupId().equals(TestCluster.DATA0.value()))
              .findFirst().orElseThrow().getLogStartIndex();
      assertThat(leaderLogStart).as("the leader purged its log").isGreaterThan(50);

      cluster.start(follower);
      awaitLocalValue(cluster, follower, "s:299", "value-299");
      awaitLocalValue(cluster, follower, "s:before", "1");
      assertThat(installedSnapshots(cluster, follower))
          .as("the follower received a snapshot from the leader (install leaves .md5 files)")
          .isNotEmpty();

      // It serves as a full member afterwards: it can lead and nothing is lost.
      cluster.stop(leader);
      cluster.awaitLeader();
      for (int i = 0; i < 300; i += 37) {
        assertThat(client.get("s:" + i).orElseThrow().valueAsString()).isEqualTo("value-" + i);
      }
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  @Test
  void aSnapshotWhoseFilesExceedTheMessageLimitIsInstalledInChunks() {
    // Incompressible values, so the checkpoint holds SST files of several MiB: more than one
    // gRPC message may carry. Segments of 1 MiB close (and are purged) every other entry.
    RaftLogSettings frequentSnapshots = new RaftLogSettings(20, 1 << 20);
    try (TestCluster cluster = TestCluster.start(dir, 3, frequentSnapshots);
        KvClient client = cluster.client()) {
      client.put("s:before", "1");
      int follower = cluster.aFollower();
      cluster.stop(follower);

      // At least 12 values (6 MiB), then more until the leader has purged past index 10.
      int leader = cluster.awaitLeader();
      var leaderLog =
          cluster.node(leader).raft().replica(TestCluster.DATA0).orElseThrow().getRaftLog();
      Random random = new Random(7);
      String last = null;
      int written = 0;
      while (written < 12 || (written < 40 && leaderLog.getStartIndex() <= 10)) {
        last = randomLetters(random, 512 << 10);
        client.put("s:large-" + written, last);
        written++;
      }
      assertThat(leaderLog.getStartIndex()).as("the leader purged its log").isGreaterThan(10);

      cluster.start(follower);
      awaitLocalValue(cluster, follower, "s:large-" + (written - 1), last);
      awaitLocalValue(cluster, follower, "s:before", "1");
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  private static String randomLetters(Random random, int length) {
    StringBuilder letters = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      letters.append((char) ('a' + random.nextInt(26)));
    }
    return letters.toString();
  }

  static List<Path> installedSnapshots(TestCluster cluster, int node) throws IOException {
    Path groupDir =
        cluster.config(node).dataDir().resolve("raft").resolve(RaftGroups.idOf(TestCluster.DATA0).getUuid().toString());
    try (Stream<Path> files = Files.walk(groupDir.resolve("sm"))) {
      return files.filter(p -> p.toString().endsWith(".md5")).toList();
    }
  }

  static void awaitLocalValue(TestCluster cluster, int node, String key, String value) {
    var stub = cluster.stub(node);
    await("node " + node + " has applied " + key)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () ->
                stub.get(
                        GetRequest.newBuilder()
                            .setKey(ByteString.copyFromUtf8(key))
                            .setConsistency(Consistency.SERIALIZABLE)
                            .build())
                    .getValue()
                    .toStringUtf8()
                    .equals(value));
  }
}
