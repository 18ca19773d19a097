package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kv.client.KvClient;
import dev.kv.server.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What StuckFollowerWatch assumes of Ratis: a follower that answers its leader learns every
 * commit, the last one before the group goes idle too, and the leader hears that it did. Were the
 * leader's view of a follower's commit index to stay an entry behind in an idle group, the watch
 * would take that follower for stuck once its stall had passed, and the leader would step down.
 */
class FollowerCommitIndexTest {
  @TempDir Path dir;

  @Test
  void theLeaderHearsEveryFollowerReachItsCommitIndexOnceTheGroupIsIdle() {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        KvClient client = cluster.client()) {
      for (int i = 0; i < 5; i++) {
        client.put("k" + i, "v");
      }
      RaftServer.Division leader =
          cluster.node(cluster.awaitLeader()).raft().replica(TestCluster.DATA0).orElseThrow();
      long commit = leader.getRaftLog().getLastCommittedIndex();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(leader.getCommitInfos()).hasSize(3);
                for (CommitInfoProto c : leader.getCommitInfos()) {
                  assertThat(c.getCommitIndex())
                      .as("commit index of %s as the leader knows it", c.getServer().getId())
                      .isGreaterThanOrEqualTo(commit);
                }
              });
    }
  }
}
