package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kv.server.KvNode;
import dev.kv.server.config.HostPort;
import dev.kv.server.config.NodeConfig;
import dev.kv.server.config.NodeId;
import dev.kv.server.config.Peer;
import dev.kv.server.config.RaftLogSettings;
import dev.kv.server.config.RaftTiming;
import dev.kv.api.Limits;
import dev.kv.statemachine.apply.ApplyConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a stopping leader does first: hand the leadership to another replica. */
class LeadershipHandoffTest {
  @TempDir Path dir;

  @Test
  void theLeaderHandsOffToAnotherReplicaWhichThenLeads() throws IOException {
    List<Peer> peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      peers.add(new Peer(new NodeId("n" + i), new HostPort("127.0.0.1", freePort())));
    }
    List<KvNode> nodes = new ArrayList<>();
    try {
      for (Peer peer : peers) {
        nodes.add(
            KvNode.start(
                new NodeConfig(peer.id(), peer.raftAddress(), new HostPort("127.0.0.1", 0), peers,
                    dir.resolve(peer.id().value()), Limits.DEFAULTS, RaftTiming.DEFAULTS,
                    Duration.ofSeconds(10), RaftLogSettings.DEFAULTS, ApplyConfig.DEFAULTS),
                (what, cause) -> { throw new AssertionError(what, cause); }));
      }
      KvNode leader = await().atMost(Duration.ofSeconds(60)).until(() -> leaderOf(nodes), Optional::isPresent).orElseThrow();

      Optional<RaftPeerId> target = leader.raft().handOffLeadership();

      assertThat(target).isPresent();
      assertThat(target.get().toString()).isNotEqualTo(leader.config().nodeId().value());
      KvNode newLeader = await().atMost(Duration.ofSeconds(30)).until(() -> leaderOf(nodes), Optional::isPresent).orElseThrow();
      assertThat(newLeader.config().nodeId().value()).isEqualTo(target.get().toString());
      // A follower has nothing to hand off.
      assertThat(leader.raft().handOffLeadership()).isEmpty();
    } finally {
      nodes.forEach(KvNode::close);
    }
  }

  private static Optional<KvNode> leaderOf(List<KvNode> nodes) {
    for (KvNode node : nodes) {
      try {
        if (node.raft().server().getDivision(DataGroup.ID).getInfo().isLeaderReady()) {
          return Optional.of(node);
        }
      } catch (IOException e) {
        // not hosting the group yet
      }
    }
    return Optional.empty();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
