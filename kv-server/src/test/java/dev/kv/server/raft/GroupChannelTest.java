package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kv.server.KvNode;
import dev.kv.server.TestCluster;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's channel into a group, with the replica lists a moving group has. */
class GroupChannelTest {
  @TempDir Path dir;

  /**
   * While a replica moves off a node, the map already lists the new replicas without it, yet the
   * node's replica still serves, and may lead. Reads through it must work: the channel's client
   * knows the replica's own Raft configuration, not only the map's list.
   */
  @Test
  void aReplicaMissingFromTheMapsListStillServesLinearizableReads() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      int leader = cluster.awaitLeader();
      KvNode node = cluster.node(leader);
      List<RaftPeer> withoutSelf =
          node.raft().replica(TestCluster.DATA0).orElseThrow().getRaftConf().getCurrentPeers()
              .stream()
              .filter(p -> !p.getId().toString().equals(node.config().nodeId().value()))
              .toList();
      assertThat(withoutSelf).hasSize(2);

      GroupChannel channel = node.raft().channel(TestCluster.DATA0, withoutSelf);
      ReadResult result =
          channel
              .readLinearizable(
                  ReadRequest.newBuilder()
                      .setGet(GetQuery.newBuilder().setKey(ByteString.copyFromUtf8("absent")))
                      .build())
              .get(30, TimeUnit.SECONDS);

      assertThat(result.getAppliedIndex()).isPositive();
      assertThat(result.getGet().getFound()).isFalse();
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }
}
