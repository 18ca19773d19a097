package dev.kv.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.api.KeyHash;
import dev.kv.api.v1.ClusterStatus;
import dev.kv.api.v1.GroupReplicas;
import dev.kv.api.v1.NodeInfo;
import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.Placement;
import dev.kv.api.v1.RangeAssignment;
import dev.kv.api.v1.ReplicaStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
  private static final long HALF = Long.MIN_VALUE; // 2^63 as an unsigned number

  /** Two data groups splitting the ring at 2^63, both on n1..n3, and the meta group. */
  private static Placement.Builder placement() {
    Placement.Builder p = Placement.newBuilder().setEpoch(7)
        .addRanges(RangeAssignment.newBuilder().setStart(0).setEnd(HALF).setGroupId("data-0"))
        .addRanges(RangeAssignment.newBuilder().setStart(HALF).setEnd(0).setGroupId("data-1"));
    for (String g : List.of("data-0", "data-1", "meta")) {
      p.addGroups(GroupReplicas.newBuilder().setGroupId(g).addAllReplicas(List.of("n1", "n2", "n3")));
    }
    for (String n : List.of("n1", "n2", "n3")) {
      p.addNodes(NodeInfo.newBuilder().setNodeId(n));
    }
    return p;
  }

  private static ReplicaStatus.Builder replica(String group, String role, long term) {
    ReplicaStatus.Builder r = ReplicaStatus.newBuilder().setGroupId(group).setRole(role)
        .setTerm(term).addAllVoters(List.of("n1", "n2", "n3"));
    if (group.equals("data-0")) {
      r.addOwnedRanges(RangeAssignment.newBuilder().setStart(0).setEnd(HALF));
    } else if (group.equals("data-1")) {
      r.addOwnedRanges(RangeAssignment.newBuilder().setStart(HALF).setEnd(0));
    }
    return r;
  }

  private static ClusterView settled() {
    return new ClusterView(ClusterStatus.newBuilder().setPlacement(placement())
        .addNodes(NodeStatus.newBuilder().setNodeId("n1")
            .addReplicas(replica("data-0", "LEADER", 2)).addReplicas(replica("data-1", "LEADER", 3))
            .addReplicas(replica("meta", "FOLLOWER", 1)))
        .addNodes(NodeStatus.newBuilder().setNodeId("n2")
            .addReplicas(replica("data-0", "FOLLOWER", 2)).addReplicas(replica("meta", "LEADER", 1)))
        .build());
  }

  @Test
  void namesLeadersAndTheNodeLeadingTheMostDataGroups() {
    ClusterView view = settled();
    assertThat(view.dataGroups()).containsExactly("data-0", "data-1");
    assertThat(view.groups()).containsExactly("data-0", "data-1", "meta");
    assertThat(view.leaderOf("meta")).contains("n2");
    assertThat(view.dataGroupsLedBy()).isEqualTo(Map.of("n1", List.of("data-0", "data-1")));
    assertThat(view.busiestLeader()).contains("n1");
    assertThat(view.unsettled()).isEmpty();
  }

  @Test
  void aDeposedLeaderOfAnOlderTermIsNotTheLeader() {
    ClusterView view = new ClusterView(settled().status().toBuilder()
        .addNodes(NodeStatus.newBuilder().setNodeId("n3").addReplicas(replica("data-0", "LEADER", 5)))
        .build());
    assertThat(view.leaderOf("data-0")).contains("n3");
  }

  @Test
  void saysWhatIsNotSettledYet() {
    ClusterStatus.Builder status = settled().status().toBuilder();
    status.getNodesBuilder(0).getReplicasBuilder(1).clearOwnedRanges();
    assertThat(new ClusterView(status.build()).unsettled())
        .hasValueSatisfying(why -> assertThat(why).contains("data-1's leader owns 0 ranges"));

    status = settled().status().toBuilder();
    status.getNodesBuilder(0).getReplicasBuilder(0).addListeners("n4");
    assertThat(new ClusterView(status.build()).unsettled())
        .hasValueSatisfying(why -> assertThat(why).contains("data-0 has voters"));

    status = settled().status().toBuilder();
    status.getNodesBuilder(1).getReplicasBuilder(1).setRole("FOLLOWER");
    assertThat(new ClusterView(status.build()).unsettled()).contains("meta has no leader");
  }

  @Test
  void mapsKeysToTheGroupOwningTheirHash() {
    ClusterView view = settled();
    for (int i = 0; i < 50; i++) {
      String key = "k" + i;
      long hash = KeyHash.of(key.getBytes(StandardCharsets.UTF_8));
      assertThat(view.groupOf(key)).isEqualTo(hash < 0 ? "data-1" : "data-0");
    }
  }

  @Test
  void probeKeysCoverEveryDataGroup() {
    Map<String, String> probes = ChaosCluster.probeKeys(settled());
    assertThat(probes).containsOnlyKeys("data-0", "data-1");
    probes.forEach((group, key) -> assertThat(settled().groupOf(key)).isEqualTo(group));
  }
}
