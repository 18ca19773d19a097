package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.kv.api.v1.Consistency;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.KVGrpc;
import dev.kv.client.KvClient;
import dev.kv.server.config.RaftLogSettings;
import dev.kv.server.raft.RaftAdmin;
import dev.kv.server.raft.RaftGroups;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A follower cut off by a network partition while its process keeps running, until the leader
 * has purged the log it would need: once healed it must catch up by snapshot install, serve what
 * it missed, and be able to lead. (A follower that is restarted instead starts a fresh Raft log
 * pipeline; see {@link FailoverTest}.)
 */
class PartitionedFollowerTest {
  /** Generous: the machine is shared and small. */
  private static final Duration CATCH_UP = Duration.ofSeconds(90);

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(TcpProxy.Cut.class)
  void aLiveFollowerCutOffPastThePurgedLogCatchesUpBySnapshotOnceHealed(TcpProxy.Cut cut)
      throws IOException {
    // Snapshot every 20 entries with tiny log segments, so the leader soon purges what the
    // cut-off follower would need and must send it a snapshot instead.
    try (TestCluster cluster =
            TestCluster.startBehindProxies(dir, 3, new RaftLogSettings(20, 4096));
        KvClient client = cluster.client()) {
      Map<String, String> written = new LinkedHashMap<>();
      put(client, written, "p:before", "1");
      int leader = cluster.awaitLeader();
      int follower = followerLeadingNothing(cluster, leader);
      RaftServer.Division leaderReplica = dataReplica(cluster, leader);
      RaftServer.Division followerReplica = dataReplica(cluster, follower);
      long followerNextIndex = followerReplica.getRaftLog().getNextIndex();

      cluster.cutOff(follower, cut);
      for (int i = 0; i < 300; i++) {
        put(client, written, "p:" + i, "value-" + i);
      }
      awaitLeaderPurgedPast(leaderReplica, followerNextIndex);
      assertThat(followerReplica.getInfo().getLastAppliedIndex())
          .as("the cut-off follower applied nothing written since")
          .isLessThan(followerNextIndex);

      cluster.heal(follower);
      assertCaughtUpServingAndAbleToLead(cluster, client, leader, follower, written);
    }
  }

  private static void put(KvClient client, Map<String, String> written, String key, String value) {
    client.put(key, value);
    written.put(key, value);
  }

  private static void awaitLeaderPurgedPast(RaftServer.Division leader, long index) {
    await("the leader purges its log past index " + index)
        .atMost(CATCH_UP)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> leader.getRaftLog().getStartIndex() > index);
  }

  /**
   * The healed follower applies everything the leader had applied, serves every written key from
   * its own state, and can lead: it takes the leadership and commits a write the others apply.
   */
  private static void assertCaughtUpServingAndAbleToLead(
      TestCluster cluster,
      KvClient client,
      int leader,
      int follower,
      Map<String, String> written)
      throws IOException {
    RaftServer.Division leaderReplica = dataReplica(cluster, leader);
    RaftServer.Division followerReplica = dataReplica(cluster, follower);
    long leaderApplied = leaderReplica.getInfo().getLastAppliedIndex();
    await("the healed follower applies what the leader had applied (" + leaderApplied + ")")
        .atMost(CATCH_UP)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> followerReplica.getInfo().getLastAppliedIndex() >= leaderApplied);
    assertThat(FailoverTest.installedSnapshots(cluster, follower))
        .as("the follower caught up by a snapshot from the leader (install leaves .md5 files)")
        .isNotEmpty();

    KVGrpc.KVBlockingStub stub = cluster.stub(follower);
    written.forEach(
        (key, value) -> assertThat(serializableRead(stub, key)).as(key).isEqualTo(value));

    new RaftAdmin(cluster.config(follower))
        .transferLeadership(
            followerReplica.getGroup(), followerReplica.getId(), CATCH_UP.toMillis());
    assertThat(cluster.awaitLeader()).isEqualTo(follower);
    assertThat(client.put("p:after", "written under the new leader")).isEqualTo(1);
    assertThat(followerReplica.getInfo().isLeader()).isTrue();
    FailoverTest.awaitLocalValue(cluster, leader, "p:after", "written under the new leader");
    assertThat(cluster.fatalErrors).isEmpty();
  }

  /** A follower of data-0 that leads no group either, so cutting it off moves no leadership. */
  private static int followerLeadingNothing(TestCluster cluster, int dataLeader) {
    int metaLeader = cluster.awaitLeader(RaftGroups.META);
    return IntStream.range(0, cluster.size())
        .filter(i -> i != dataLeader && i != metaLeader)
        .findFirst()
        .orElseThrow();
  }

  private static RaftServer.Division dataReplica(TestCluster cluster, int node) {
    return cluster.node(node).raft().replica(TestCluster.DATA0).orElseThrow();
  }

  private static String serializableRead(KVGrpc.KVBlockingStub stub, String key) {
    return stub.get(
            GetRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8(key))
                .setConsistency(Consistency.SERIALIZABLE)
                .build())
        .getValue()
        .toStringUtf8();
  }
}
