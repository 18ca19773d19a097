package dev.kv.api.placement;

import java.util.HashSet;
import java.util.List;

/** A Raft group and the nodes holding its voting replicas (distinct nodes). */
public record GroupPlacement(GroupId id, List<NodeId> replicas) {
  public GroupPlacement {
    replicas = List.copyOf(replicas);
    if (new HashSet<>(replicas).size() != replicas.size()) {
      throw new IllegalArgumentException(
          "group " + id + " has two replicas on one node: " + replicas);
    }
  }

  public boolean hasReplicaOn(NodeId node) {
    return replicas.contains(node);
  }
}
