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
 * @param join API address of any member, for a node that is not a seed; null for seeds
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
    HostPort join) {

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
    List<Peer> members = peers;
    Peer self = members.stream().filter(p -> p.id().equals(nodeId)).findFirst().orElse(null);
    if (self == null && join == null) {
      throw new IllegalArgumentException(
          "node id " + nodeId + " is not in the seed peer list " + members
              + "; a node that is not a seed needs --join with the API address of a member");
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
    return peers.stream().anyMatch(p -> p.id().equals(nodeId));
  }

  /** The gRPC message limit: room for the largest key and value plus framing. */
  public static int maxMessageBytes(Limits limits) {
    long bytes = (long) limits.maxValueBytes() + limits.maxKeyBytes() + (64 << 10);
    return (int) Math.min(Integer.MAX_VALUE - 1024, bytes);
  }
}
