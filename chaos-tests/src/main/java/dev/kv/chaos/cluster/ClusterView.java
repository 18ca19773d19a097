package dev.kv.chaos.cluster;

import dev.kv.api.KeyHash;
import dev.kv.api.v1.ClusterStatus;
import dev.kv.api.v1.GroupReplicas;
import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.RangeAssignment;
import dev.kv.api.v1.ReplicaStatus;
import dev.kv.api.v1.UnreachableNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One answer of kvd's Cluster.GetStatus, read the way the harness needs it: the groups, their
 * replicas and leaders, who leads what, whether the placement controller is done, and which
 * group owns a key. Pure: no I/O.
 */
public record ClusterView(ClusterStatus status) {
  /** The meta group, which holds the placement map and no user data. */
  public static final String META = "meta";

  /** Every group of the map, the meta group included, in map order. */
  public List<String> groups() {
    return status.getPlacement().getGroupsList().stream().map(GroupReplicas::getGroupId).toList();
  }

  /** The groups that hold user data. */
  public List<String> dataGroups() {
    return groups().stream().filter(g -> !g.equals(META)).toList();
  }

  public long epoch() {
    return status.getPlacement().getEpoch();
  }

  /** Node ids the map holds replicas on for {@code group}, in map order. */
  public List<String> replicasOf(String group) {
    return status.getPlacement().getGroupsList().stream()
        .filter(g -> g.getGroupId().equals(group)).findFirst()
        .<List<String>>map(GroupReplicas::getReplicasList).orElse(List.of());
  }

  /** Node ids in the map. */
  public List<String> nodesInMap() {
    return status.getPlacement().getNodesList().stream().map(n -> n.getNodeId()).toList();
  }

  /** The nodes the status could not reach, with the reason. */
  public List<String> unreachable() {
    return status.getUnreachableList().stream()
        .map(u -> u.getNodeId() + " (" + u.getError() + ")").toList();
  }

  /** Node ids that did not answer the status call. */
  public Set<String> unreachableIds() {
    Set<String> ids = new HashSet<>();
    status.getUnreachableList().stream().map(UnreachableNode::getNodeId).forEach(ids::add);
    return ids;
  }

  /**
   * The replica that says it leads {@code group}, with its node; the highest term wins when a
   * deposed leader has not heard of the newer one yet.
   */
  public Optional<Map.Entry<String, ReplicaStatus>> leaderReplica(String group) {
    Map.Entry<String, ReplicaStatus> best = null;
    for (NodeStatus node : status.getNodesList()) {
      for (ReplicaStatus r : node.getReplicasList()) {
        if (r.getGroupId().equals(group) && r.getRole().equals("LEADER")
            && (best == null || r.getTerm() > best.getValue().getTerm())) {
          best = Map.entry(node.getNodeId(), r);
        }
      }
    }
    return Optional.ofNullable(best);
  }

  public Optional<String> leaderOf(String group) {
    return leaderReplica(group).map(Map.Entry::getKey);
  }

  /** For each node that leads data groups, the data groups it leads (sorted by node id). */
  public Map<String, List<String>> dataGroupsLedBy() {
    Map<String, List<String>> led = new TreeMap<>();
    for (String group : dataGroups()) {
      leaderOf(group).ifPresent(n -> led.computeIfAbsent(n, k -> new ArrayList<>()).add(group));
    }
    return led;
  }

  /** The node leading the most data groups (the lowest id among equals), if any leads one. */
  public Optional<String> busiestLeader() {
    return dataGroupsLedBy().entrySet().stream()
        .max(Comparator.comparingInt((Map.Entry<String, List<String>> e) -> e.getValue().size())
            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey);
  }

  /**
   * Whether the placement controller is done: every group has a leader whose voters are exactly
   * the map's replicas and no listeners, and every data group's leader owns the ranges the map
   * gives it. Says what is missing, or nothing when settled.
   */
  public Optional<String> unsettled() {
    for (String group : groups()) {
      Optional<Map.Entry<String, ReplicaStatus>> leader = leaderReplica(group);
      if (leader.isEmpty()) {
        return Optional.of(group + " has no leader");
      }
      ReplicaStatus r = leader.get().getValue();
      if (!Set.copyOf(r.getVotersList()).equals(Set.copyOf(replicasOf(group)))
          || r.getListenersCount() > 0) {
        return Optional.of(group + " has voters " + r.getVotersList() + " and listeners "
            + r.getListenersList() + "; the map wants " + replicasOf(group));
      }
      if (!group.equals(META) && !sameRanges(r.getOwnedRangesList(), rangesOf(group))) {
        return Optional.of(group + "'s leader owns " + r.getOwnedRangesCount()
            + " ranges, not yet the map's " + rangesOf(group).size());
      }
    }
    return Optional.empty();
  }

  private static boolean sameRanges(List<RangeAssignment> a, List<RangeAssignment> b) {
    return a.stream().map(r -> r.getStart() + "-" + r.getEnd()).toList()
        .equals(b.stream().map(r -> r.getStart() + "-" + r.getEnd()).toList());
  }

  private List<RangeAssignment> rangesOf(String group) {
    return status.getPlacement().getRangesList().stream()
        .filter(r -> r.getGroupId().equals(group)).toList();
  }

  /** The group owning {@code key} by the map's ranges (hash as in kv.proto). */
  public String groupOf(String key) {
    long hash = KeyHash.of(key.getBytes(StandardCharsets.UTF_8));
    for (RangeAssignment r : status.getPlacement().getRangesList()) {
      boolean afterStart = Long.compareUnsigned(hash, r.getStart()) >= 0;
      boolean beforeEnd = r.getEnd() == 0 || Long.compareUnsigned(hash, r.getEnd()) < 0;
      if (afterStart && beforeEnd) {
        return r.getGroupId();
      }
    }
    throw new IllegalStateException("placement epoch " + epoch() + " has no range for hash "
        + Long.toUnsignedString(hash) + "; its ranges are " + status.getPlacement().getRangesList());
  }
}
