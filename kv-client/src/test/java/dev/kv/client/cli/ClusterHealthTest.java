package dev.kv.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.api.v1.ClusterStatus;
import dev.kv.api.v1.GroupReplicas;
import dev.kv.api.v1.NodeInfo;
import dev.kv.api.v1.NodeState;
import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.Placement;
import dev.kv.api.v1.RangeAssignment;
import dev.kv.api.v1.ReplicaStatus;
import dev.kv.api.v1.UnreachableNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The health rules, one by one, on hand-made cluster statuses. */
class ClusterHealthTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");

  /** A settled 3-node cluster: meta and data-0 (the whole ring), both led by n1, no lag. */
  private static ClusterStatus.Builder healthy() {
    Placement.Builder placement = Placement.newBuilder().setEpoch(7)
        .addRanges(RangeAssignment.newBuilder().setStart(0).setEnd(0).setGroupId("data-0"))
        .addGroups(GroupReplicas.newBuilder().setGroupId("meta").addAllReplicas(NODES))
        .addGroups(GroupReplicas.newBuilder().setGroupId("data-0").addAllReplicas(NODES));
    ClusterStatus.Builder status = ClusterStatus.newBuilder();
    for (String node : NODES) {
      placement.addNodes(NodeInfo.newBuilder().setNodeId(node).setState(NodeState.ACTIVE));
      NodeStatus.Builder n = NodeStatus.newBuilder().setNodeId(node);
      for (String group : List.of("meta", "data-0")) {
        ReplicaStatus.Builder r = ReplicaStatus.newBuilder().setGroupId(group)
            .setRole(node.equals("n1") ? "LEADER" : "FOLLOWER").setLeader("n1")
            .setCommitIndex(500).setAppliedIndex(500).addAllVoters(NODES);
        if (group.equals("data-0")) {
          r.setOwnershipEpoch(3)
              .addOwnedRanges(RangeAssignment.newBuilder().setStart(0).setEnd(0).setGroupId(group));
        }
        n.addReplicas(r);
      }
      status.addNodes(n);
    }
    return status.setPlacement(placement);
  }

  private static ClusterStatus.Builder without(ClusterStatus.Builder status, String node) {
    for (int i = 0; i < status.getNodesCount(); i++) {
      if (status.getNodes(i).getNodeId().equals(node)) {
        status.removeNodes(i);
        break;
      }
    }
    return status.addUnreachable(
        UnreachableNode.newBuilder().setNodeId(node).setError("UNAVAILABLE: connection refused"));
  }

  /** Changes the replica of {@code group} on {@code node}. */
  private static ClusterStatus.Builder replica(
      ClusterStatus.Builder status, String node, String group,
      UnaryOperator<ReplicaStatus.Builder> change) {
    for (NodeStatus.Builder n : status.getNodesBuilderList()) {
      if (n.getNodeId().equals(node)) {
        for (ReplicaStatus.Builder r : n.getReplicasBuilderList()) {
          if (r.getGroupId().equals(group)) {
            change.apply(r);
          }
        }
      }
    }
    return status;
  }

  private static ClusterHealth.Check check(ClusterHealth.Report report, String subject) {
    return report.checks().stream().filter(c -> c.subject().equals(subject)).findFirst()
        .orElseThrow();
  }

  @Test
  void aSettledClusterWithEveryReplicaCaughtUpIsHealthy() {
    ClusterHealth.Report report = ClusterHealth.evaluate(healthy().build(), 100);

    assertThat(report.healthy()).isTrue();
    assertThat(report.checks()).hasSize(3 + 2 + 1);
    assertThat(check(report, "data-0").detail())
        .isEqualTo("leader n1; 3/3 replicas up and within 100 entries (quorum 2)");
  }

  @Test
  void anUnreachableNodeIsUnhealthyEvenThoughEveryGroupKeepsAQuorum() {
    ClusterHealth.Report report = ClusterHealth.evaluate(without(healthy(), "n3").build(), 100);

    assertThat(report.healthy()).isFalse();
    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.subject()).isEqualTo("n3");
      assertThat(p.detail()).isEqualTo("unreachable: UNAVAILABLE: connection refused");
    });
    assertThat(check(report, "data-0").ok()).isTrue();
  }

  @Test
  void aGroupWithAMinorityUpHasNoQuorumAndNoLeader() {
    ClusterStatus.Builder status = without(without(healthy(), "n1"), "n2");
    replica(status, "n3", "data-0", r -> r.setRole("CANDIDATE").clearLeader());

    ClusterHealth.Check data = check(ClusterHealth.evaluate(status.build(), 100), "data-0");

    assertThat(data.ok()).isFalse();
    assertThat(data.detail()).isEqualTo("no leader; 1/3 replicas up and within 100 entries"
        + " (quorum 2); not counted: n1 (no answer), n2 (no answer); a group without a leader"
        + " serves nothing; fewer than a quorum of replicas are up and caught up");
  }

  @Test
  void aReplicaFurtherBehindThanTheLagLimitDoesNotCountTowardsTheQuorum() {
    ClusterStatus.Builder status = healthy();
    replica(status, "n2", "data-0", r -> r.setAppliedIndex(399));
    replica(status, "n3", "data-0", r -> r.setAppliedIndex(350));

    ClusterHealth.Report report = ClusterHealth.evaluate(status.build(), 100);

    assertThat(check(report, "data-0").ok()).isFalse();
    assertThat(check(report, "data-0").detail()).contains(
        "1/3 replicas up", "not counted: n2 (101 entries behind), n3 (150 entries behind)");
    // Exactly at the limit still counts.
    assertThat(ClusterHealth.evaluate(status.build(), 150).healthy()).isTrue();
  }

  @Test
  void aLeaderWhoseVotersDifferFromTheMapIsNotSettled() {
    ClusterStatus.Builder status = healthy();
    replica(status, "n1", "data-0", r -> r.clearVoters().addAllVoters(List.of("n1", "n2", "n4")));

    ClusterHealth.Report report = ClusterHealth.evaluate(status.build(), 100);

    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(ClusterHealth.Kind.PLACEMENT);
      assertThat(p.detail())
          .isEqualTo("not settled: data-0 has voters [n1, n2, n4], the map says [n1, n2, n3]");
    });
  }

  @Test
  void rangesTheLeaderHasNotAppliedAndADrainingNodeWithReplicasAreNotSettled() {
    ClusterStatus.Builder status = healthy();
    replica(status, "n1", "data-0", r -> r.clearOwnedRanges().setOwnershipEpoch(0));
    status.getPlacementBuilder().getNodesBuilder(2).setState(NodeState.DRAINING);

    ClusterHealth.Check placement = check(ClusterHealth.evaluate(status.build(), 100), "epoch 7");

    assertThat(placement.ok()).isFalse();
    assertThat(placement.detail())
        .contains("data-0 has not applied the map's ranges (its leader owns 0 ranges at"
            + " ownership epoch 0, the map gives it 1)")
        .contains("n3 is draining and still holds 2 replicas");
  }

  @Test
  void aNegativeLagLimitIsRefused() {
    assertThatThrownBy(() -> ClusterHealth.evaluate(healthy().build(), -1))
        .hasMessage("max lag is -1; it must be >= 0");
  }

  @Test
  void theJsonReportCarriesTheVerdictEveryCheckAndTheProblems() throws Exception {
    StringWriter text = new StringWriter();
    HealthCommand.printJson(
        new PrintWriter(text), ClusterHealth.evaluate(without(healthy(), "n3").build(), 5));

    var json = com.google.gson.JsonParser.parseString(text.toString()).getAsJsonObject();
    assertThat(json.get("healthy").getAsBoolean()).isFalse();
    assertThat(json.get("placementEpoch").getAsLong()).isEqualTo(7);
    assertThat(json.get("maxLag").getAsLong()).isEqualTo(5);
    assertThat(json.getAsJsonArray("checks")).hasSize(6);
    assertThat(json.getAsJsonArray("problems")).singleElement()
        .satisfies(p -> assertThat(p.getAsString())
            .isEqualTo("node n3: unreachable: UNAVAILABLE: connection refused"));
  }
}
