package dev.kv.chaos.cluster;

import java.nio.file.Path;

/**
 * One kvd node of a {@link ChaosCluster}: its id, its fixed address on the cluster's network, and
 * the host folder bound into it. Its container belongs to the cluster, which may replace it.
 *
 * @param id the kvd node id and the container's network alias, for example {@code n2}
 * @param ip the node's address on the cluster network; fixed for the container's life, so a
 *     restarted node comes back where its peers, the clients and the partition rules expect it
 * @param dataDir the host folder bound to the node's data directory (Raft log, RocksDB)
 */
public record ClusterNode(String id, String ip, Path dataDir) {

  /** The kvd API port inside the container (on the node's own address). */
  public static final int API_PORT = 7000;

  /** The Raft port inside the container. */
  public static final int RAFT_PORT = 6000;

  /** host:port of the node's public API, reachable from the host. */
  public String apiEndpoint() {
    return ip + ":" + API_PORT;
  }

  @Override
  public String toString() {
    return id + "(" + ip + ")";
  }
}
