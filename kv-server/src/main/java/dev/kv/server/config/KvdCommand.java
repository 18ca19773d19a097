package dev.kv.server.config;

import dev.kv.api.placement.NodeId;
import dev.kv.api.Durations;
import dev.kv.api.Limits;
import dev.kv.statemachine.apply.ApplyConfig;
import dev.kv.server.bootstrap.StatefulSetIdentity;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The flags of {@code kvd}. Every flag falls back to an environment variable (named in --help)
 * and then to a default that runs a single-node development cluster on loopback.
 */
@Command(
    name = "kvd",
    mixinStandardHelpOptions = true,
    description = "A node of the kv service: Raft replica(s) plus the public gRPC API.",
    showDefaultValues = true)
public final class KvdCommand implements Callable<NodeConfig> {

  @Option(names = "--node-id", defaultValue = "${env:KV_NODE_ID:-n1}",
      description = "This node's id; one of --peers. Env KV_NODE_ID.")
  String nodeId;

  @Option(names = "--raft-address", defaultValue = "${env:KV_RAFT_ADDRESS:-127.0.0.1:6001}",
      description = "host:port of the Raft server. Env KV_RAFT_ADDRESS.")
  String raftAddress;

  @Option(names = "--api-address", defaultValue = "${env:KV_API_ADDRESS:-127.0.0.1:7001}",
      description = "host:port of the public gRPC API. Env KV_API_ADDRESS.")
  String apiAddress;

  @Option(names = "--peers", defaultValue = "${env:KV_PEERS:-n1=127.0.0.1:6001}",
      description = "Initial members: id=host:raftPort,... Env KV_PEERS.")
  String peers;

  @Option(names = "--data-dir", defaultValue = "${env:KV_DATA_DIR:-data}",
      description = "Data directory (Raft log, snapshots, RocksDB). Env KV_DATA_DIR.")
  Path dataDir;

  @Option(names = "--max-key-bytes", defaultValue = "${env:KV_MAX_KEY_BYTES:-4096}",
      description = "Largest key accepted. Env KV_MAX_KEY_BYTES.")
  int maxKeyBytes;

  @Option(names = "--max-value-bytes", defaultValue = "${env:KV_MAX_VALUE_BYTES:-1048576}",
      description = "Largest value accepted. Env KV_MAX_VALUE_BYTES.")
  int maxValueBytes;

  @Option(names = "--election-timeout-min", defaultValue = "${env:KV_ELECTION_TIMEOUT_MIN:-1s}",
      converter = DurationConverter.class,
      description = "Lower bound of the Raft election timeout. Env KV_ELECTION_TIMEOUT_MIN.")
  Duration electionTimeoutMin;

  @Option(names = "--election-timeout-max", defaultValue = "${env:KV_ELECTION_TIMEOUT_MAX:-2s}",
      converter = DurationConverter.class,
      description = "Upper bound of the Raft election timeout. Env KV_ELECTION_TIMEOUT_MAX.")
  Duration electionTimeoutMax;

  @Option(names = "--raft-request-timeout", defaultValue = "${env:KV_RAFT_REQUEST_TIMEOUT:-3s}",
      converter = DurationConverter.class,
      description = "Timeout of one internal Raft request. Env KV_RAFT_REQUEST_TIMEOUT.")
  Duration raftRequestTimeout;

  @Option(names = "--request-timeout", defaultValue = "${env:KV_REQUEST_TIMEOUT:-10s}",
      converter = DurationConverter.class,
      description = "Longest a client request may take inside a node. Env KV_REQUEST_TIMEOUT.")
  Duration requestTimeout;

  @Option(names = "--snapshot-every", defaultValue = "${env:KV_SNAPSHOT_EVERY:-10000}",
      description = "Snapshot (and purge the log) every this many log entries. Env KV_SNAPSHOT_EVERY.")
  long snapshotEvery;

  @Option(names = "--log-segment-bytes", defaultValue = "${env:KV_LOG_SEGMENT_BYTES:-8388608}",
      description = "Raft log segment size. Env KV_LOG_SEGMENT_BYTES.")
  long logSegmentBytes;

  @Option(names = "--session-expiry", defaultValue = "${env:KV_SESSION_EXPIRY:-10m}",
      converter = DurationConverter.class,
      description = "Idempotency records of idle clients expire after this. Must be equal on all"
          + " nodes. Env KV_SESSION_EXPIRY.")
  Duration sessionExpiry;

  @Option(names = "--data-groups", defaultValue = "${env:KV_DATA_GROUPS:-8}",
      description = "Data groups a new cluster starts with (1..1024). Equal on all seed nodes."
          + " Env KV_DATA_GROUPS.")
  int dataGroups;

  @Option(names = "--replication", defaultValue = "${env:KV_REPLICATION:-3}",
      description = "Replicas per group (1..7; 1 only for a single-node development cluster)."
          + " Equal on all seed nodes. Env KV_REPLICATION.")
  int replication;

  @Option(names = "--node-down-after", defaultValue = "${env:KV_NODE_DOWN_AFTER:-5m}",
      converter = DurationConverter.class,
      description = "Replicas of a node unreachable this long are re-created elsewhere."
          + " Env KV_NODE_DOWN_AFTER.")
  Duration nodeDownAfter;

  @Option(names = "--join", defaultValue = "${env:KV_JOIN:-}",
      description = "API addresses (host:port,...) of members, tried in turn, for a node that is"
          + " not in --peers: it registers there and receives replicas. Env KV_JOIN.")
  String join;

  @Option(names = "--advertise-host", defaultValue = "${env:KV_ADVERTISE_HOST:-}",
      description = "The host name other nodes and clients reach this node by; needed when a"
          + " node that is not a seed listens on 0.0.0.0. Default: the listen host, or a seed's"
          + " host in --peers. Env KV_ADVERTISE_HOST.")
  String advertiseHost;

  @Option(names = "--metrics-address", defaultValue = "${env:KV_METRICS_ADDRESS:-}",
      description = "host:port of the Prometheus metrics endpoint (/metrics); empty for none."
          + " Env KV_METRICS_ADDRESS.")
  String metricsAddress;

  /** The process environment; tests substitute their own. */
  Map<String, String> environment = System.getenv();

  /**
   * The node's configuration. In a StatefulSet pod ({@link StatefulSetIdentity}: {@code
   * KV_PEER_SERVICE} is set) the pod's identity replaces --node-id and --peers, the pod's DNS name
   * is the advertised host, and a pod beyond the initial members joins through them.
   */
  @Override
  public NodeConfig call() {
    HostPort raft = HostPort.parse(raftAddress);
    HostPort api = HostPort.parse(apiAddress);
    NodeId id = new NodeId(nodeId);
    List<Peer> seeds = Peer.parseList(peers);
    List<HostPort> joinVia = parseAddresses(join);
    String advertise = blankToNull(advertiseHost);
    Optional<StatefulSetIdentity> pod = StatefulSetIdentity.fromEnvironment(environment);
    if (pod.isPresent()) {
      id = pod.get().nodeId();
      seeds = pod.get().initialPeers(raft.port());
      if (advertise == null) {
        advertise = pod.get().host(pod.get().ordinal());
      }
      if (!pod.get().isInitialMember() && joinVia.isEmpty()) {
        joinVia = seeds.stream().map(p -> new HostPort(p.raftAddress().host(), api.port())).toList();
      }
    }
    return new NodeConfig(
        id,
        raft,
        api,
        seeds,
        dataDir,
        new Limits(maxKeyBytes, maxValueBytes, Limits.DEFAULT_MAX_SCAN_LIMIT),
        new RaftTiming(electionTimeoutMin, electionTimeoutMax, raftRequestTimeout),
        requestTimeout,
        new RaftLogSettings(snapshotEvery, logSegmentBytes),
        new ApplyConfig(sessionExpiry, ApplyConfig.DEFAULTS.maxResultsPerSession()),
        new ClusterSettings(dataGroups, replication, nodeDownAfter),
        joinVia,
        advertise,
        metricsAddress == null || metricsAddress.isBlank() ? null : HostPort.parse(metricsAddress));
  }

  private static List<HostPort> parseAddresses(String text) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    return Arrays.stream(text.split(",")).map(String::trim).map(HostPort::parse).toList();
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text.trim();
  }

  /** Picocli's view of {@link Durations}: "500ms", "3s", "10m", "1h" or ISO-8601. */
  public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
      try {
        return Durations.parsePositive(text);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
