package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.kv.server.KvNode;
import dev.kv.server.TestCluster;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import dev.kv.api.v1.Consistency;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.GetResponse;
import dev.kv.api.v1.KVGrpc;
import dev.kv.client.KvClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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

  /**
   * A node that holds no replica of a group serves a linearizable read from a replica that has
   * applied a barrier entry proposed after the read arrived: it sees the write acknowledged just
   * before.
   */
  @Test
  void aNodeWithoutAReplicaServesLinearizableReadsThatSeeTheLatestWrite() {
    // Four seeds, three replicas of the one data group: the first map leaves one node without.
    try (TestCluster cluster = TestCluster.start(dir, 4);
        KvClient client = cluster.client()) {
      int without =
          await("a node without a replica of data-0, with the placement map")
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> nodeWithoutReplica(cluster), Optional::isPresent)
              .orElseThrow();
      KVGrpc.KVBlockingStub stub = cluster.stub(without);

      for (int i = 0; i < 5; i++) {
        String value = "v" + i;
        client.put("no-replica", value);
        GetResponse read =
            stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .get(GetRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("no-replica"))
                    .setConsistency(Consistency.LINEARIZABLE)
                    .build());
        assertThat(read.getValue().toStringUtf8()).isEqualTo(value);
        assertThat(read.getHeader().getServedBy())
            .isEqualTo(cluster.node(without).config().nodeId().value());
      }
      assertThat(cluster.node(without).raft().replica(TestCluster.DATA0))
          .as("the node still held no replica when it served the reads")
          .isEmpty();
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  private static Optional<Integer> nodeWithoutReplica(TestCluster cluster) {
    for (int i = 0; i < 4; i++) {
      KvNode node = cluster.node(i);
      if (node.raft().replica(TestCluster.DATA0).isEmpty()
          && node.membership().cache().current().isPresent()) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
