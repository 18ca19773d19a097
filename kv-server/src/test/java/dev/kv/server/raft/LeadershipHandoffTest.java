package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.server.KvNode;
import dev.kv.server.TestCluster;
import java.nio.file.Path;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a stopping leader does first: hand the leadership to another replica. */
class LeadershipHandoffTest {
  @TempDir Path dir;

  @Test
  void theLeaderHandsOffToAnotherReplicaWhichThenLeads() {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      int oldLeader = cluster.awaitLeader();
      KvNode leader = cluster.node(oldLeader);

      var handed = leader.raft().handOffLeadership();

      RaftPeerId target = handed.get(RaftGroups.idOf(TestCluster.DATA0));
      assertThat(target).isNotNull();
      assertThat(target.toString()).isNotEqualTo(leader.config().nodeId().value());
      assertThat(leader.raft().replica(TestCluster.DATA0).orElseThrow().getInfo().isLeader())
          .isFalse();
      // A node that leads nothing has nothing to hand off.
      assertThat(leader.raft().handOffLeadership()).isEmpty();
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }
}
