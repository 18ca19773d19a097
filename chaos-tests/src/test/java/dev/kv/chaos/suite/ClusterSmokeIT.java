package dev.kv.chaos.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.cluster.ClusterNode;
import dev.kv.chaos.cluster.ClusterView;
import dev.kv.client.KvClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

class ClusterSmokeIT {

  @Test
  void startsKillsRestartsAndRemovesEverything() throws Exception {
    Path runDir = ChaosEnvironment.workDir().resolve("smoke");
    try (ChaosCluster cluster =
        ChaosCluster.start(ChaosEnvironment.image(), runDir, ChaosCluster.Options.DEFAULTS)) {
      try (KvClient kv = KvClient.builder().endpoints(cluster.apiEndpoints()).build()) {
        assertThat(kv.put("smoke", "one")).isEqualTo(1);
      }
      ClusterView view = cluster.awaitLeaders(Duration.ofMinutes(1));
      assertThat(view.dataGroups()).hasSize(ChaosCluster.Options.DEFAULTS.dataGroups());
      ClusterNode leader = cluster.node(view.busiestLeader().orElseThrow());
      cluster.kill(leader);
      // The survivors elect new leaders for the groups it led (awaited, not slept for).
      ClusterView failedOver = cluster.awaitLeaders(Duration.ofMinutes(1));
      assertThat(failedOver.dataGroupsLedBy()).doesNotContainKey(leader.id());
      assertThat(failedOver.unreachableIds()).containsExactly(leader.id());
      try (KvClient kv = KvClient.builder().endpoints(cluster.apiEndpoints()).build()) {
        assertThat(kv.put("smoke", "two")).isEqualTo(2);
      }
      cluster.startAgain(leader);
      cluster.awaitReady(Duration.ofMinutes(2));
      try (KvClient kv = KvClient.builder().endpoints(cluster.apiEndpoints()).build()) {
        assertThat(kv.get("smoke").orElseThrow().valueAsString()).isEqualTo("two");
      }
    }
    var docker = DockerClientFactory.instance().client();
    assertThat(docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(java.util.Map.of(ChaosCluster.OWNER_LABEL,
            Long.toString(ProcessHandle.current().pid()))).exec()).isEmpty();
    assertThat(docker.listNetworksCmd().exec()).noneMatch(n -> n.getLabels() != null
        && Long.toString(ProcessHandle.current().pid())
            .equals(n.getLabels().get(ChaosCluster.OWNER_LABEL)));
  }
}
