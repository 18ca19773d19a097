package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.client.KvClient;
import dev.kv.server.KvNode;
import dev.kv.server.TestCluster;
import dev.kv.client.VersionedValue;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ReadIndex and the term service it asks, on a real in-JVM cluster. */
class ReadIndexTest {
  @TempDir Path dir;

  @Test
  void linearizableReadsAtTheLeaderOfAnIdleGroupWriteNothingToItsLog() {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        KvClient client = cluster.client()) {
      client.put("k", "v1");
      RaftServer.Division leader =
          cluster.node(cluster.awaitLeader()).raft().replica(TestCluster.DATA0).orElseThrow();
      long next = leader.getRaftLog().getNextIndex();
      int reads = 20;
      for (int i = 0; i < reads; i++) {
        assertThat(client.get("k").orElseThrow().valueAsString()).isEqualTo("v1");
      }
      // With a barrier entry per read the log would grow by 20. A few may still fall back on
      // one (a term answer slower than its deadline on a busy machine), hence the margin.
      assertThat(leader.getRaftLog().getNextIndex() - next)
          .as("reads confirmed the leadership by asking the voters, not by log entries")
          .isLessThan(reads / 4);

      // Concurrent reads: those arriving while a round is in flight share the next one, begun on
      // the thread that answered the last. Were that round to fall back on a barrier entry, each
      // wave would write at least one.
      next = leader.getRaftLog().getNextIndex();
      int waves = 20;
      for (int wave = 0; wave < waves; wave++) {
        List<CompletableFuture<Optional<VersionedValue>>> concurrent = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          concurrent.add(client.getAsync("k".getBytes(StandardCharsets.UTF_8)));
        }
        concurrent.forEach(read -> assertThat(read.join()).isPresent());
      }
      assertThat(leader.getRaftLog().getNextIndex() - next)
          .as("concurrent reads confirmed the leadership by asking the voters, not by log entries")
          .isLessThan(waves / 4);
    }
  }

  @Test
  void theLeaderConfirmsItsCommitIndexAndAFollowerCannot() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        KvClient client = cluster.client()) {
      client.put("k", "v1");
      int leaderNode = cluster.awaitLeader();
      RaftServer.Division leader =
          cluster.node(leaderNode).raft().replica(TestCluster.DATA0).orElseThrow();
      RaftServer.Division follower =
          cluster.node((leaderNode + 1) % 3).raft().replica(TestCluster.DATA0).orElseThrow();
      try (PeerTerms peers = new PeerTerms()) {
        ReadIndex readIndex = new ReadIndex(peers, 5_000);
        long committed = leader.getRaftLog().getLastCommittedIndex();
        assertThat(readIndex.confirm(leader).get(10, TimeUnit.SECONDS))
            .isGreaterThanOrEqualTo(committed);
        assertThatThrownBy(() -> readIndex.confirm(follower).join())
            .hasCauseInstanceOf(ReadIndex.NotConfirmedException.class)
            .hasMessageContaining("not the group's ready leader");
      }
    }
  }

  @Test
  void aTermCallIsNotCancelledWithTheKvCallThatBeganIt() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        KvClient client = cluster.client()) {
      client.put("k", "v1");
      RaftServer.Division replica = cluster.node(0).raft().replica(TestCluster.DATA0).orElseThrow();
      try (PeerTerms peers = new PeerTerms()) {
        Context.CancellableContext kvCall = Context.current().withCancellation();
        kvCall.cancel(null); // answered: gRPC cancels a call's context once it ends
        CompletableFuture<Long> term =
            kvCall.call(() -> peers.termOf(replica.getPeer(), replica.getGroup().getGroupId(), 5_000));
        assertThat(term.get(10, TimeUnit.SECONDS)).isPositive();
      }
    }
  }

  @Test
  void aNodeAnswersItsTermOfAGroupOnItsRaftPortAndRefusesBadRequests() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        KvClient client = cluster.client()) {
      client.put("k", "v1");
      KvNode node = cluster.node(0);
      RaftServer.Division replica = node.raft().replica(TestCluster.DATA0).orElseThrow();
      RaftPeer self = replica.getPeer();
      try (PeerTerms peers = new PeerTerms()) {
        long before = replica.getInfo().getCurrentTerm();
        long answered =
            peers.termOf(self, replica.getGroup().getGroupId(), 5_000).get(10, TimeUnit.SECONDS);
        assertThat(answered)
            .isBetween(before, replica.getInfo().getCurrentTerm())
            .isPositive();
        assertThatThrownBy(() -> peers.termOf(self, RaftGroupId.randomId(), 5_000).join())
            .hasCauseInstanceOf(StatusRuntimeException.class)
            .hasMessageContaining("NOT_FOUND")
            .hasMessageContaining("no replica of");
      }
      ManagedChannel channel =
          ManagedChannelBuilder.forTarget(self.getAddress()).usePlaintext().build();
      try {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(
                channel,
                PeerTerms.GET_TERM,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                new byte[] {1, 2, 3}))
            .as("a malformed request")
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
            .hasMessageContaining("a group id is 16 bytes, got 3");
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
