package dev.kv.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SubnetTest {

  @Test
  void rangesAndHosts() {
    assertThat(Subnet.range("172.18.0.0/16")).containsExactly(0xAC120000L, 0xAC12FFFFL);
    Subnet subnet = new Subnet((172 << 24) | (29 << 16) | (5 << 8));
    assertThat(subnet.cidr()).isEqualTo("172.29.5.0/24");
    assertThat(subnet.host(11)).isEqualTo("172.29.5.11");
  }

  @Test
  void onlyLabelledResourcesOfDeadJvmsAreOrphans() {
    String self = Long.toString(ProcessHandle.current().pid());
    assertThat(OrphanSweeper.isOrphan(Map.of(ChaosCluster.OWNER_LABEL, self))).isFalse();
    assertThat(OrphanSweeper.isOrphan(Map.of())).isFalse();
    assertThat(OrphanSweeper.isOrphan(Map.of(ChaosCluster.OWNER_LABEL, "999999999"))).isTrue();
  }
}
