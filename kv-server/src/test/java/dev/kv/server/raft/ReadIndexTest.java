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
      try (PeerTerms peers = new PeerTerms(5_000)) {
        ReadIndex readIndex = new ReadIndex(peers);
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
      try (PeerTerms peers = new PeerTerms(5_000)) {
        Context.CancellableContext kvCall = Context.current().withCancellation();
        kvCall.cancel(null); // answered: gRPC cancels a call's context once it ends
        CompletableFuture<Long> term =
            kvCall.call(() -> peers.termOf(replica.getPeer(), replica.getGroup().getGroupId()));
        assertThat(term.get(10, TimeUnit.SECONDS)).isPositive();
      }
    }
  }

  @Test
  void aNodeAnswersTheTermsOfItsReplicasOnItsRaftPortAndRefusesBadRequests() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        KvClient client = cluster.client()) {
      client.put("k", "v1");
      KvNode node = cluster.node(0);
      RaftServer.Division replica = node.raft().replica(TestCluster.DATA0).orElseThrow();
      RaftPeer self = replica.getPeer();
      try (PeerTerms peers = new PeerTerms(5_000)) {
        long before = replica.getInfo().getCurrentTerm();
        long answered =
            peers.termOf(self, replica.getGroup().getGroupId()).get(10, TimeUnit.SECONDS);
        assertThat(answered)
            .isBetween(before, replica.getInfo().getCurrentTerm())
            .isPositive();
        assertThatThrownBy(() -> peers.termOf(self, RaftGroupId.randomId()).join())
            .hasCauseInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no replica of");
      }
      ManagedChannel channel =
          ManagedChannelBuilder.forTarget(self.getAddress()).usePlaintext().build();
      try {
        RaftGroupId elsewhere = RaftGroupId.randomId();
        long[] terms = RaftTermService.decodeTerms(
            getTerms(channel, RaftTermService.encodeGroups(
                List.of(replica.getGroup().getGroupId(), elsewhere))),
            2);
        assertThat(terms[0]).as("the replica's term").isPositive();
        assertThat(terms[1]).as("a group without a replica there")
            .isEqualTo(RaftTermService.NO_REPLICA);
        for (byte[] malformed : List.of(
            new byte[0], new byte[] {1, 2, 3}, new byte[16 * (RaftTermService.MAX_GROUPS + 1)])) {
          assertThatThrownBy(() -> getTerms(channel, malformed))
              .as("a malformed request of %d bytes", malformed.length)
              .isInstanceOfSatisfying(StatusRuntimeException.class,
                  e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
              .hasMessageContaining("a request is 1 to 65536 group ids of 16 bytes each, got "
                  + malformed.length + " bytes");
        }
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static byte[] getTerms(ManagedChannel channel, byte[] request) {
    return ClientCalls.blockingUnaryCall(
        channel,
        PeerTerms.GET_TERMS,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        request);
  }
}
