package dev.kv.server.config;

import dev.kv.api.placement.NodeId;
import dev.kv.api.Limits;
import dev.kv.statemachine.apply.ApplyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a node is configured with, validated on construction. Built from flags, environment
 * and defaults by {@link KvdCommand}; tests build it directly.
 *
 * @param nodeId this node's id; one of {@code peers} for a seed node, otherwise the node joins
 *     through {@code join}
 * @param raftAddress where this node's Raft server listens (peers reach it there)
 * @param apiAddress where the public gRPC API listens
 * @param peers the seed members of the cluster: they form the meta group on first start
 * @param dataDir this node's data: Raft log, snapshots, RocksDB
 * @param limits key, value and scan limits enforced on requests
 * @param raft Raft timing
 * @param requestTimeout upper bound on a client request inside the node when the client set no
 *     earlier deadline
 * @param raftLog snapshot interval and log segment size
 * @param apply settings of the apply logic; must be equal on every node
 * @param cluster how the placement controller lays out groups; equal on every seed node
 * @param join API addresses of members, tried in turn, for a node that is not a seed; empty for
 *     seeds
 * @param advertiseHost the host name other nodes and clients reach this node by; null to use the
 *     listen host (or, for a seed listening on every interface, its host in {@code peers})
 * @param metricsAddress where the Prometheus endpoint listens; null for none
 */
public record NodeConfig(
    NodeId nodeId,
    HostPort raftAddress,
    HostPort apiAddress,
    List<Peer> peers,
    Path dataDir,
    Limits limits,
    RaftTiming raft,
    Duration requestTimeout,
    RaftLogSettings raftLog,
    ApplyConfig apply,
    ClusterSettings cluster,
    List<HostPort> join,
    String advertiseHost,
    HostPort metricsAddress) {

  public NodeConfig {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(raftAddress, "raftAddress");
    Objects.requireNonNull(apiAddress, "apiAddress");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(raft, "raft");
    Objects.requireNonNull(raftLog, "raftLog");
    Objects.requireNonNull(apply, "apply");
    Objects.requireNonNull(cluster, "cluster");
    peers = List.copyOf(peers);
    join = List.copyOf(join);
    Peer self = selfIn(peers, nodeId);
    if (self == null && join.isEmpty()) {
      throw new IllegalArgumentException(
          "node id " + nodeId + " is not in the seed peer list " + peers
              + "; a node that is not a seed needs --join with the API address of a member");
    }
    if (advertiseHost != null && (advertiseHost.isBlank() || isWildcard(advertiseHost))) {
      throw new IllegalArgumentException(
          "advertise host '" + advertiseHost + "' is not a name other nodes can reach");
    }
    if (self == null && advertiseHost == null
        && (isWildcard(raftAddress.host()) || isWildcard(apiAddress.host()))) {
      throw new IllegalArgumentException(
          "this node listens on every interface (" + raftAddress + ", " + apiAddress
              + ") and is not a seed: set --advertise-host to the name other nodes and clients"
              + " reach it by");
    }
    // Hosts may differ (a node listens on 0.0.0.0, peers name it by DNS); ports may not.
    if (self != null && self.raftAddress().port() != raftAddress.port()) {
      throw new IllegalArgumentException(
          "the peer list gives " + nodeId + " raft port " + self.raftAddress().port()
              + " but this node listens on port " + raftAddress.port());
    }
    if (requestTimeout.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException(
          "request timeout is " + requestTimeout.toMillis() + " ms; it must be >= 100 ms");
    }
    int grpcLimit = maxMessageBytes(limits);
    if (grpcLimit <= limits.maxValueBytes()) {
      throw new IllegalArgumentException("value limit " + limits.maxValueBytes() + " is too large");
    }
  }

  /** Whether this node is one of the seed members that form the meta group. */
  public boolean isSeed() {
    return selfIn(peers, nodeId) != null;
  }

  /**
   * Where other nodes reach this node's Raft server: a seed's address in the peer list, else
   * the listen address with the advertised host.
   */
  public HostPort advertisedRaftAddress() {
    Peer self = selfIn(peers, nodeId);
    if (self != null && advertiseHost == null) {
      return self.raftAddress();
    }
    return new HostPort(advertisedHost(raftAddress.host()), raftAddress.port());
  }

  /** Where other nodes and clients reach this node's API. */
  public HostPort advertisedApiAddress() {
    return new HostPort(advertisedHost(apiAddress.host()), apiAddress.port());
  }

  private String advertisedHost(String listenHost) {
    if (advertiseHost != null) {
      return advertiseHost;
    }
    if (!isWildcard(listenHost)) {
      return listenHost;
    }
    return selfIn(peers, nodeId).raftAddress().host(); // the constructor checked it is a seed
  }

  private static Peer selfIn(List<Peer> peers, NodeId nodeId) {
    return peers.stream().filter(p -> p.id().equals(nodeId)).findFirst().orElse(null);
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  /** The gRPC message limit: room for the largest key and value plus framing. */
  public static int maxMessageBytes(Limits limits) {
    long bytes = (long) limits.maxValueBytes() + limits.maxKeyBytes() + (64 << 10);
    return (int) Math.min(Integer.MAX_VALUE - 1024, bytes);
  }
}
