package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kv.client.KvClient;
import dev.kv.server.TestCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.IntStream;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leadership transfer that fails must leave the leader able to take writes. Ratis 3.3.0 does
 * not, when a transfer fails at once: see {@link RaftAdmin#transferLeadership}.
 */
class FailedTransferTest {
  private static final int ATTEMPTS = 10;

  @TempDir Path dir;

  @Test
  void transfersToADownReplicaFailButTheGroupKeepsTakingWrites() throws IOException {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        KvClient client = cluster.client()) {
      client.put("k", "before");
      int leader = cluster.awaitLeader();
      RaftNode node = cluster.node(leader).raft();
      RaftAdmin admin = node.admin();
      RaftServer.Division division = node.replica(TestCluster.DATA0).orElseThrow();
      int down = IntStream.range(0, 3).filter(i -> i != leader).findFirst().orElseThrow();
      String downId = cluster.node(down).config().nodeId().value();
      cluster.crash(down);
      // Once the leader's connection to it has failed, a StartLeaderElection to it fails at
      // once, which is the path that left Ratis 3.3.0's leader "stepping down" for good.
      TestCluster.awaitLeaderLostTouch(division, downId, Duration.ofSeconds(2));

      // No writes in between: a write would leave the down replica behind the leader's log, and
      // Ratis only sends StartLeaderElection to a replica that has all of it.
      int stuck = 0;
      for (int i = 0; i < ATTEMPTS; i++) {
        Throwable failure = catchThrowable(() -> admin.transferLeadership(
            division.getGroup(), RaftPeerId.valueOf(downId), 500));
        assertThat(failure).as("transfer %d to the down replica", i)
            .isInstanceOf(IOException.class);
        if (failure instanceof TransferLeadershipException e
            && RaftAdmin.leavesLeaderSteppingDown(e)) {
          stuck++;
        }
      }
      System.out.printf("%d of %d transfers failed at once (the Ratis 3.3.0 bug's path)%n",
          stuck, ATTEMPTS);
      assertThat(node.workarounds().failedTransferStepDowns().getCount())
          .as("step-downs counted").isGreaterThanOrEqualTo(stuck);
      assertThat(client.put("k", "after")).as("a write after the failed transfers").isPositive();
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  @Test
  void recognisesTheTransferFailuresThatLeaveTheLeaderSteppingDown() {
    assertThat(RaftAdmin.leavesLeaderSteppingDown(new TransferLeadershipException(
        "kv-0@group-386199C843B1: Failed to transfer leadership to kv-1 (the current leader is"
            + " kv-0): COMPLETED_EXCEPTIONALLY: java.util.concurrent.CompletionException: x")))
        .isTrue();
    assertThat(RaftAdmin.leavesLeaderSteppingDown(new TransferLeadershipException(
        "n1@group-1: Failed to transfer leadership to n2 (the current leader is n1):"
            + " NULL_LOG_APPENDER"))).isTrue();
    assertThat(RaftAdmin.leavesLeaderSteppingDown(new TransferLeadershipException(
        "kv-0@group-386199C843B1Failed to transfer leadership to kv-2: a previous"
            + " TransferLeadershipRequest:client-338DE1BB769B->kv-0@group-386199C843B1, cid=70,"
            + " seq=null, RO, null exists"))).isTrue();
    // These go through Ratis' own completion, which clears the pending transfer.
    assertThat(RaftAdmin.leavesLeaderSteppingDown(new TransferLeadershipException(
        "n1@group-1: Failed to transfer leadership to n2 (the current leader is n1):"
            + " TIMED_OUT(2.000s)"))).isFalse();
    assertThat(RaftAdmin.leavesLeaderSteppingDown(new TransferLeadershipException(
        "n1@group-1 refused to transfer leadership to peer n2 when raft reconfiguration in"
            + " progress."))).isFalse();
    assertThat(RaftAdmin.leavesLeaderSteppingDown(null)).isFalse();
  }
}
