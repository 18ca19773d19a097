package dev.kv.server.placement;

import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.HashRange;
import dev.kv.api.placement.NodeId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the placement controller saw of the cluster in one round: the replicas each reachable node
 * reported, and how long each unreachable node has been out of reach.
 */
public record Observation(
    Map<NodeId, List<Replica>> reachable, Map<NodeId, java.time.Duration> unreachableFor) {

  /**
   * One replica as its node reported it, with the group's membership as that replica knows it.
   */
  public record Replica(
      GroupId group,
      boolean leader,
      List<HashRange> ownedRanges,
      Set<NodeId> voters,
      Set<NodeId> listeners) {}

  public Observation {
    reachable = Map.copyOf(reachable);
    unreachableFor = Map.copyOf(unreachableFor);
  }

  public boolean isReachable(NodeId node) {
    return reachable.containsKey(node);
  }

  public Optional<Replica> replica(NodeId node, GroupId group) {
    return reachable.getOrDefault(node, List.of()).stream()
        .filter(r -> r.group().equals(group))
        .findFirst();
  }

  /** The replica of {@code group} that reports itself leader, if a reachable node has it. */
  public Optional<Map.Entry<NodeId, Replica>> leaderOf(GroupId group) {
    for (var e : reachable.entrySet()) {
      for (Replica r : e.getValue()) {
        if (r.group().equals(group) && r.leader()) {
          return Optional.of(Map.entry(e.getKey(), r));
        }
      }
    }
    return Optional.empty();
  }
}
