package dev.kv.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.api.Limits;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.config.HostPort;
import dev.kv.server.config.NodeConfig;
import dev.kv.api.placement.NodeId;
import dev.kv.server.config.Peer;
import dev.kv.server.config.RaftLogSettings;
import dev.kv.server.config.RaftTiming;
import dev.kv.statemachine.apply.ApplyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatefulSetIdentityTest {

  @Test
  void theNodeIdIsThePodNameAndThePeersAreTheFirstOrdinalsByDnsName() {
    StatefulSetIdentity id = StatefulSetIdentity.of("kv-2", 3, "kv-peers", "db", "cluster.local");

    assertThat(id.nodeId()).isEqualTo(new NodeId("kv-2"));
    assertThat(id.ordinal()).isEqualTo(2);
    assertThat(id.statefulSet()).isEqualTo("kv");
    assertThat(id.isInitialMember()).isTrue();
    assertThat(id.initialPeers(6000))
        .containsExactly(
            new Peer(new NodeId("kv-0"), new HostPort("kv-0.kv-peers.db.svc.cluster.local", 6000)),
            new Peer(new NodeId("kv-1"), new HostPort("kv-1.kv-peers.db.svc.cluster.local", 6000)),
            new Peer(new NodeId("kv-2"), new HostPort("kv-2.kv-peers.db.svc.cluster.local", 6000)));
    assertThat(id.initialPeersFlag(6000))
        .isEqualTo(
            "kv-0=kv-0.kv-peers.db.svc.cluster.local:6000,"
                + "kv-1=kv-1.kv-peers.db.svc.cluster.local:6000,"
                + "kv-2=kv-2.kv-peers.db.svc.cluster.local:6000");
    // The flag syntax round-trips through the parser kvd uses for --peers.
    assertThat(Peer.parseList(id.initialPeersFlag(6000))).isEqualTo(id.initialPeers(6000));
  }

  @Test
  void aStatefulSetNameMayContainDashesAndDigits() {
    StatefulSetIdentity id =
        StatefulSetIdentity.of("kv-store-2-10", 12, "kv-store-peers", "prod-1", "cluster.local.");

    assertThat(id.statefulSet()).isEqualTo("kv-store-2");
    assertThat(id.ordinal()).isEqualTo(10);
    assertThat(id.host(0)).isEqualTo("kv-store-2-0.kv-store-peers.prod-1.svc.cluster.local");
    assertThat(id.initialPeers(6000)).hasSize(12);
  }

  @Test
  void aPodBeyondTheInitialMembersIsNotOneOfThem() {
    StatefulSetIdentity id = StatefulSetIdentity.of("kv-3", 3, "kv-peers", "db", "cluster.local");

    assertThat(id.isInitialMember()).isFalse();
    assertThat(id.initialPeers(6000))
        .extracting(p -> p.id().value())
        .containsExactly("kv-0", "kv-1", "kv-2");
  }

  @Test
  void theDerivedIdentityMakesAValidNodeConfig() {
    StatefulSetIdentity id = StatefulSetIdentity.of("kv-1", 3, "kv-peers", "db", "cluster.local");

    NodeConfig config =
        new NodeConfig(
            id.nodeId(),
            new HostPort("0.0.0.0", 6000),
            new HostPort("0.0.0.0", 7000),
            id.initialPeers(6000),
            Path.of("/var/lib/kv/data"),
            Limits.DEFAULTS,
            RaftTiming.DEFAULTS,
            Duration.ofSeconds(10),
            RaftLogSettings.DEFAULTS,
            ApplyConfig.DEFAULTS,
            ClusterSettings.DEFAULTS,
            List.of(),
            id.host(id.ordinal()),
            null);

    assertThat(config.peers()).hasSize(3);
    assertThat(config.isSeed()).isTrue();
    assertThat(config.advertisedApiAddress().toString())
        .isEqualTo("kv-1.kv-peers.db.svc.cluster.local:7000");
  }

  @Test
  void invalidNamesAreRejectedWithTheValueNamed() {
    assertThatThrownBy(() -> StatefulSetIdentity.of("kv", 3, "kv-peers", "db", "cluster.local"))
        .hasMessageContaining("pod name 'kv' is not <statefulset>-<ordinal>");
    assertThatThrownBy(() -> StatefulSetIdentity.of("KV-0", 3, "kv-peers", "db", "cluster.local"))
        .hasMessageContaining("pod name 'KV-0'");
    assertThatThrownBy(() -> StatefulSetIdentity.of("kv-01", 3, "kv-peers", "db", "cluster.local"))
        .hasMessageContaining("pod name 'kv-01'");
    assertThatThrownBy(() -> StatefulSetIdentity.of("kv-0", 0, "kv-peers", "db", "cluster.local"))
        .hasMessageContaining("initial members is 0; it must be at least 1");
    assertThatThrownBy(() -> StatefulSetIdentity.of("kv-0", 3, "kv_peers", "db", "cluster.local"))
        .hasMessageContaining("headless service name 'kv_peers' is invalid");
    assertThatThrownBy(() -> StatefulSetIdentity.of("kv-0", 3, "kv-peers", "", "cluster.local"))
        .hasMessageContaining("namespace '' is invalid");
    assertThatThrownBy(() -> StatefulSetIdentity.of("kv-0", 3, "kv-peers", "db", "cluster..local"))
        .hasMessageContaining("cluster domain 'cluster..local' is not a DNS name");
  }

  @Test
  void fromEnvironmentIsEmptyWithoutAPeerService() {
    assertThat(StatefulSetIdentity.fromEnvironment(Map.of("HOSTNAME", "kv-0"))).isEmpty();
    assertThat(StatefulSetIdentity.fromEnvironment(Map.of("KV_PEER_SERVICE", " "))).isEmpty();
  }

  @Test
  void fromEnvironmentReadsWhatTheStatefulSetProvides() {
    Map<String, String> env = new HashMap<>(statefulSetEnv());

    StatefulSetIdentity id = StatefulSetIdentity.fromEnvironment(env).orElseThrow();

    assertThat(id.nodeId()).isEqualTo(new NodeId("kv-1"));
    assertThat(id.host(1)).isEqualTo("kv-1.kv-peers.db.svc.cluster.local");

    env.remove("POD_NAME");
    env.put("HOSTNAME", "kv-2");
    env.put("KV_CLUSTER_DOMAIN", "example.org");
    StatefulSetIdentity fromHostname = StatefulSetIdentity.fromEnvironment(env).orElseThrow();
    assertThat(fromHostname.nodeId()).isEqualTo(new NodeId("kv-2"));
    assertThat(fromHostname.host(0)).isEqualTo("kv-0.kv-peers.db.svc.example.org");
  }

  @Test
  void fromEnvironmentNamesWhatIsMissing() {
    for (String missing : List.of("POD_NAME", "POD_NAMESPACE", "KV_INITIAL_MEMBERS")) {
      Map<String, String> env = new HashMap<>(statefulSetEnv());
      env.remove(missing);
      assertThatThrownBy(() -> StatefulSetIdentity.fromEnvironment(env))
          .as(missing)
          .hasMessageContaining(missing);
    }
    Map<String, String> env = new HashMap<>(statefulSetEnv());
    env.put("KV_INITIAL_MEMBERS", "three");
    assertThatThrownBy(() -> StatefulSetIdentity.fromEnvironment(env))
        .hasMessageContaining("KV_INITIAL_MEMBERS is 'three'; it must be a whole number");
  }

  private static Map<String, String> statefulSetEnv() {
    return Map.of(
        "POD_NAME", "kv-1",
        "POD_NAMESPACE", "db",
        "KV_PEER_SERVICE", "kv-peers",
        "KV_INITIAL_MEMBERS", "3");
  }
}
