package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.server.KvNode;
import dev.kv.server.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.ratis.proto.RaftProtos.LeaderInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a stopping leader does first: hand the leadership to another replica that is up. */
class LeadershipHandoffTest {
  private static final Duration LIVE = Duration.ofSeconds(1);

  @TempDir Path dir;

  @Test
  void theLeaderHandsOffToALiveReplicaWhichThenLeads() {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      int oldLeader = cluster.awaitLeader();
      KvNode leader = cluster.node(oldLeader);
      var division = leader.raft().replica(TestCluster.DATA0).orElseThrow();
      int[] followers = IntStream.range(0, 3).filter(i -> i != oldLeader).toArray();
      // The follower that sorts first is down: the handoff must pass it over for the other one.
      int down = cluster.node(followers[0]).config().nodeId().value()
          .compareTo(cluster.node(followers[1]).config().nodeId().value()) < 0
          ? followers[0] : followers[1];
      int up = down == followers[0] ? followers[1] : followers[0];
      String downId = cluster.node(down).config().nodeId().value();
      cluster.crash(down);
      TestCluster.awaitLeaderLostTouch(division, downId, LIVE);

      var handed = leader.raft().handOffLeadership();

      RaftPeerId target = handed.get(RaftGroups.idOf(TestCluster.DATA0));
      assertThat(target).hasToString(cluster.node(up).config().nodeId().value());
      assertThat(division.getInfo().isLeader()).isFalse();
      // A group it no longer leads is not handed off again. (It may have become the meta
      // group's leader meanwhile: the crashed node may have led that group.)
      assertThat(leader.raft().handOffLeadership())
          .doesNotContainKey(RaftGroups.idOf(TestCluster.DATA0));
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  @Test
  void theTargetIsTheVoterThatAnsweredLastAndOnlyOneThatAnsweredRecently() {
    RoleInfoProto role = leaderRole(follower("n2", 300), follower("n3", 40),
        follower("listener", 1), follower("n4", 5_000));
    Set<RaftPeerId> voters = Set.of(id("n1"), id("n2"), id("n3"), id("n4"));

    assertThat(LeadershipHandoff.liveVoter(role, voters, LIVE)).contains(id("n3"));
    assertThat(LeadershipHandoff.liveVoter(role, Set.of(id("n2"), id("n4")), LIVE))
        .contains(id("n2"));
    assertThat(LeadershipHandoff.liveVoter(role, Set.of(id("n4")), LIVE)).isEmpty();
    assertThat(LeadershipHandoff.liveVoter(leaderRole(), voters, LIVE)).isEmpty();
  }

  private static RoleInfoProto leaderRole(ServerRpcProto... followers) {
    return RoleInfoProto.newBuilder()
        .setLeaderInfo(LeaderInfoProto.newBuilder().addAllFollowerInfo(List.of(followers)))
        .build();
  }

  private static ServerRpcProto follower(String id, long elapsedMs) {
    return ServerRpcProto.newBuilder()
        .setId(RaftPeerProto.newBuilder().setId(ByteString.copyFromUtf8(id)))
        .setLastRpcElapsedTimeMs(elapsedMs)
        .build();
  }

  private static RaftPeerId id(String id) {
    return RaftPeerId.valueOf(id);
  }
}
