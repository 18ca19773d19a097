package dev.kv.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KvdCommandTest {

  static NodeConfig parse(String... args) {
    return parse(Map.of(), args);
  }

  static NodeConfig parse(Map<String, String> environment, String... args) {
    KvdCommand command = new KvdCommand();
    command.environment = environment;
    new CommandLine(command).parseArgs(args);
    return command.call();
  }

  private static Map<String, String> pod(String name) {
    return Map.of(
        "POD_NAME", name,
        "POD_NAMESPACE", "db",
        "KV_PEER_SERVICE", "kv-peers",
        "KV_INITIAL_MEMBERS", "3");
  }

  private static final String[] LISTEN_EVERYWHERE = {
    "--raft-address", "0.0.0.0:6000", "--api-address", "0.0.0.0:7000"
  };

  @Test
  void anInitialPodIsASeedNamedAndAdvertisedByItsDnsName() {
    NodeConfig c = parse(pod("kv-1"), LISTEN_EVERYWHERE);
    assertThat(c.nodeId().value()).isEqualTo("kv-1");
    assertThat(c.isSeed()).isTrue();
    assertThat(c.peers())
        .extracting(p -> p.raftAddress().toString())
        .containsExactly(
            "kv-0.kv-peers.db.svc.cluster.local:6000",
            "kv-1.kv-peers.db.svc.cluster.local:6000",
            "kv-2.kv-peers.db.svc.cluster.local:6000");
    assertThat(c.advertisedRaftAddress().toString())
        .isEqualTo("kv-1.kv-peers.db.svc.cluster.local:6000");
    assertThat(c.advertisedApiAddress().toString())
        .isEqualTo("kv-1.kv-peers.db.svc.cluster.local:7000");
    assertThat(c.join()).isEmpty();
  }

  @Test
  void aPodBeyondTheInitialMembersJoinsThroughThem() {
    NodeConfig c = parse(pod("kv-4"), LISTEN_EVERYWHERE);
    assertThat(c.isSeed()).isFalse();
    assertThat(c.join())
        .extracting(HostPort::toString)
        .containsExactly(
            "kv-0.kv-peers.db.svc.cluster.local:7000",
            "kv-1.kv-peers.db.svc.cluster.local:7000",
            "kv-2.kv-peers.db.svc.cluster.local:7000");
    assertThat(c.advertisedApiAddress().toString())
        .isEqualTo("kv-4.kv-peers.db.svc.cluster.local:7000");
  }

  @Test
  void advertisedAddressesOutsideKubernetes() {
    NodeConfig seed = parse(
        "--raft-address", "0.0.0.0:6001", "--api-address", "0.0.0.0:7001",
        "--peers", "n1=db1.example:6001");
    assertThat(seed.advertisedRaftAddress().toString()).isEqualTo("db1.example:6001");
    assertThat(seed.advertisedApiAddress().toString()).isEqualTo("db1.example:7001");

    NodeConfig joiner = parse(
        "--node-id", "n4", "--raft-address", "0.0.0.0:6004", "--api-address", "0.0.0.0:7004",
        "--join", "db1.example:7001, db2.example:7001", "--advertise-host", "db4.example");
    assertThat(joiner.join()).hasSize(2);
    assertThat(joiner.advertisedRaftAddress().toString()).isEqualTo("db4.example:6004");
    assertThat(joiner.advertisedApiAddress().toString()).isEqualTo("db4.example:7004");

    assertThatThrownBy(() -> parse(
            "--node-id", "n4", "--raft-address", "0.0.0.0:6004", "--join", "db1.example:7001"))
        .hasMessageContaining("set --advertise-host");
    assertThatThrownBy(() -> parse("--advertise-host", "0.0.0.0"))
        .hasMessageContaining("advertise host '0.0.0.0' is not a name other nodes can reach");
  }

  @Test
  void metricsAreOffUnlessAnAddressIsGiven() {
    assertThat(parse().metricsAddress()).isNull();
    assertThat(parse("--metrics-address", "0.0.0.0:9090").metricsAddress())
        .isEqualTo(new HostPort("0.0.0.0", 9090));
  }

  @Test
  void defaultsRunASingleNodeDevelopmentCluster() {
    NodeConfig c = parse();
    assertThat(c.nodeId().value()).isEqualTo("n1");
    assertThat(c.peers()).hasSize(1);
    assertThat(c.apiAddress()).isEqualTo(new HostPort("127.0.0.1", 7001));
    assertThat(c.raft().electionTimeoutMin()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(c.limits().maxKeyBytes()).isEqualTo(4096);
  }

  @Test
  void flagsBuildAThreeNodeConfig() {
    NodeConfig c =
        parse(
            "--node-id", "n2",
            "--raft-address", "0.0.0.0:6002",
            "--api-address", "127.0.0.1:7002",
            "--peers", "n1=127.0.0.1:6001,n2=kv-1.kv:6002,n3=127.0.0.1:6003",
            "--data-dir", "/tmp/x",
            "--election-timeout-min", "1500ms",
            "--election-timeout-max", "3s",
            "--session-expiry", "1h");
    assertThat(c.nodeId().value()).isEqualTo("n2");
    assertThat(c.peers()).extracting(p -> p.id().value()).containsExactly("n1", "n2", "n3");
    assertThat(c.raft().electionTimeoutMin()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.apply().sessionExpiry()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void invalidSettingsAreRejectedWithTheRuleNamed() {
    assertThatThrownBy(() -> parse("--node-id", "n9", "--peers", "n1=127.0.0.1:6001"))
        .hasMessageContaining("node id n9 is not in the seed peer list")
        .hasMessageContaining("needs --join");
    assertThatThrownBy(() -> parse("--data-groups", "0"))
        .hasMessageContaining("data groups is 0; it must be 1..1024");
    assertThatThrownBy(() -> parse("--replication", "8"))
        .hasMessageContaining("replication is 8; it must be 1..7");
    assertThatThrownBy(() -> parse("--node-down-after", "1s"))
        .hasMessageContaining("it must be >= 5 s");
    assertThat(parse("--node-id", "n9", "--peers", "n1=127.0.0.1:6001", "--join", "127.0.0.1:7001")
        .isSeed()).isFalse();
    assertThatThrownBy(() -> parse("--node-id", "N_1"))
        .hasMessageContaining("node id 'N_1' is invalid");
    assertThatThrownBy(() -> parse("--peers", "n1=127.0.0.1:6001,n1=127.0.0.1:6002"))
        .hasMessageContaining("peer id n1 appears twice");
    assertThatThrownBy(() -> parse("--raft-address", "127.0.0.1:6009"))
        .hasMessageContaining("raft port 6001 but this node listens on port 6009");
    assertThatThrownBy(() -> parse("--api-address", "localhost"))
        .hasMessageContaining("address 'localhost' is not host:port");
    assertThatThrownBy(() -> parse("--election-timeout-min", "50ms"))
        .hasMessageContaining("it must be >= 100 ms");
    assertThatThrownBy(() -> parse("--election-timeout-min", "3s", "--election-timeout-max", "2s"))
        .hasMessageContaining("must exceed min");
    assertThatThrownBy(() -> parse("--max-key-bytes", "0"))
        .hasMessageContaining("maxKeyBytes is 0");
    assertThatThrownBy(() -> parse("--request-timeout", "10"))
        .hasMessageContaining("'10' is not a positive duration");
  }
}
