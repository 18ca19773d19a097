package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.server.KvNode;
import dev.kv.server.TestCluster;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a stopping leader does first: hand the leadership to another replica. */
class LeadershipHandoffTest {
  @TempDir Path dir;

  @Test
  void theLeaderHandsOffToAnotherReplicaWhichThenLeads() {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      KvNode leader = cluster.node(cluster.awaitLeader());

      Optional<RaftPeerId> target = leader.raft().handOffLeadership();

      assertThat(target).isPresent();
      assertThat(target.get().toString()).isNotEqualTo(leader.config().nodeId().value());
      // Nothing else moves leadership in a healthy cluster, so the named replica leads next.
      KvNode newLeader = cluster.node(cluster.awaitLeader());
      assertThat(newLeader.config().nodeId().value()).isEqualTo(target.get().toString());
      // A follower has nothing to hand off.
      assertThat(leader.raft().handOffLeadership()).isEmpty();
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }
}
