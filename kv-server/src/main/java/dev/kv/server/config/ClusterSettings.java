package dev.kv.server.config;

import java.time.Duration;

/**
 * How the placement controller lays out the cluster. Read by whichever node leads the meta group,
 * so every seed node should be given the same values.
 *
 * @param dataGroups the number of data groups a new cluster is created with (the hash ring is
 *     cut into this many equal ranges)
 * @param replication replicas per group; 1 is allowed for a single-node development cluster
 * @param nodeDownAfter a node unreachable for longer than this has its replicas re-created on
 *     other nodes
 */
public record ClusterSettings(int dataGroups, int replication, Duration nodeDownAfter) {
  public static final int MAX_DATA_GROUPS = 1024;
  public static final int MAX_REPLICATION = 7;
  public static final ClusterSettings DEFAULTS = new ClusterSettings(8, 3, Duration.ofMinutes(5));

  public ClusterSettings {
    if (dataGroups < 1 || dataGroups > MAX_DATA_GROUPS) {
      throw new IllegalArgumentException(
          "data groups is " + dataGroups + "; it must be 1.." + MAX_DATA_GROUPS);
    }
    if (replication < 1 || replication > MAX_REPLICATION) {
      throw new IllegalArgumentException(
          "replication is " + replication + "; it must be 1.." + MAX_REPLICATION);
    }
    if (nodeDownAfter.compareTo(Duration.ofSeconds(5)) < 0) {
      throw new IllegalArgumentException(
          "node-down-after is " + nodeDownAfter.toMillis() + " ms; it must be >= 5 s");
    }
  }
}
