package dev.kv.client.cli;

import dev.kv.api.v1.ClusterStatus;
import dev.kv.api.v1.GroupReplicas;
import dev.kv.api.v1.NodeInfo;
import dev.kv.api.v1.NodeState;
import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.Placement;
import dev.kv.api.v1.RangeAssignment;
import dev.kv.api.v1.ReplicaStatus;
import dev.kv.api.v1.UnreachableNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Judges a cluster's health from one {@code GetStatus} answer: a pure function, so each rule is
 * tested on hand-made statuses and the command only fetches and prints.
 *
 * <p>The rules: every node in the map answers; every group has a replica that reports itself
 * LEADER; a majority of each group's replicas (as the map places them) answer and have applied to
 * within {@code maxLag} entries of the group's commit index; and the placement is settled: each
 * group's leader has exactly the map's replicas as voters and no listeners, each data group's
 * leader has applied the ranges the map gives it, and no draining node still holds replicas.
 */
final class ClusterHealth {
  /** The group that holds the placement map; it owns no hash range. */
  static final String META_GROUP = "meta";

  /** What was checked: a node, a group or the placement as a whole. */
  enum Kind {
    NODE,
    GROUP,
    PLACEMENT
  }

  /** One verdict: {@code detail} says what was seen, and for a failure what rule it broke. */
  record Check(Kind kind, String subject, boolean ok, String detail) {}

  record Report(long placementEpoch, long maxLag, List<Check> checks) {
    boolean healthy() {
      return checks.stream().allMatch(Check::ok);
    }

    List<Check> problems() {
      return checks.stream().filter(c -> !c.ok()).toList();
    }
  }

  private ClusterHealth() {}

  static Report evaluate(ClusterStatus status, long maxLag) {
    if (maxLag < 0) {
      throw new IllegalArgumentException("max lag is " + maxLag + "; it must be >= 0");
    }
    Placement placement = status.getPlacement();
    List<Check> checks = new ArrayList<>();
    Map<String, String> unreachable = new HashMap<>();
    for (UnreachableNode u : status.getUnreachableList()) {
      unreachable.put(u.getNodeId(), u.getError());
    }
    Map<String, ReplicaStatus> replicas = new HashMap<>();
    for (NodeStatus node : status.getNodesList()) {
      for (ReplicaStatus r : node.getReplicasList()) {
        replicas.put(r.getGroupId() + "@" + node.getNodeId(), r);
      }
    }
    for (NodeInfo node : placement.getNodesList()) {
      String error = unreachable.get(node.getNodeId());
      checks.add(
          error == null
              ? new Check(Kind.NODE, node.getNodeId(), true, "reachable")
              : new Check(Kind.NODE, node.getNodeId(), false, "unreachable: " + error));
    }
    List<String> unsettled = new ArrayList<>();
    for (GroupReplicas group : placement.getGroupsList()) {
      checks.add(groupCheck(group, replicas, maxLag));
      unsettled.addAll(unsettledGroup(placement, group, replicas));
    }
    for (NodeInfo node : placement.getNodesList()) {
      long held = placement.getGroupsList().stream()
          .filter(g -> g.getReplicasList().contains(node.getNodeId())).count();
      if (node.getState() == NodeState.DRAINING && held > 0) {
        unsettled.add(node.getNodeId() + " is draining and still holds " + held + " replicas");
      }
    }
    checks.add(
        unsettled.isEmpty()
            ? new Check(Kind.PLACEMENT, "epoch " + placement.getEpoch(), true,
                "settled: every group's leader has the map's replicas and ranges")
            : new Check(Kind.PLACEMENT, "epoch " + placement.getEpoch(), false,
                "not settled: " + String.join("; ", unsettled)));
    return new Report(placement.getEpoch(), maxLag, checks);
  }

  private static Check groupCheck(
      GroupReplicas group, Map<String, ReplicaStatus> replicas, long maxLag) {
    String leader = null;
    long commitIndex = 0;
    for (String node : group.getReplicasList()) {
      ReplicaStatus r = replicas.get(group.getGroupId() + "@" + node);
      if (r == null) {
        continue;
      }
      if (r.getRole().equals("LEADER")) {
        leader = node;
      }
      // The leader's commit index is the group's; without a leader, the highest one seen.
      commitIndex = Math.max(commitIndex, r.getCommitIndex());
    }
    int quorum = group.getReplicasCount() / 2 + 1;
    List<String> healthy = new ArrayList<>();
    List<String> behind = new ArrayList<>();
    for (String node : group.getReplicasList()) {
      ReplicaStatus r = replicas.get(group.getGroupId() + "@" + node);
      if (r == null) {
        behind.add(node + " (no answer)");
      } else if (commitIndex - r.getAppliedIndex() > maxLag) {
        behind.add(node + " (" + (commitIndex - r.getAppliedIndex()) + " entries behind)");
      } else {
        healthy.add(node);
      }
    }
    StringBuilder detail = new StringBuilder();
    detail.append(leader == null ? "no leader" : "leader " + leader)
        .append("; ").append(healthy.size()).append('/').append(group.getReplicasCount())
        .append(" replicas up and within ").append(maxLag).append(" entries (quorum ")
        .append(quorum).append(')');
    if (!behind.isEmpty()) {
      detail.append("; not counted: ").append(String.join(", ", behind));
    }
    boolean ok = leader != null && healthy.size() >= quorum;
    if (!ok) {
      detail.append(leader == null ? "; a group without a leader serves nothing" : "")
          .append(healthy.size() < quorum
              ? "; fewer than a quorum of replicas are up and caught up" : "");
    }
    return new Check(Kind.GROUP, group.getGroupId(), ok, detail.toString());
  }

  /** Why a group's actual state differs from the map's, as its leader reports it. */
  private static List<String> unsettledGroup(
      Placement placement, GroupReplicas group, Map<String, ReplicaStatus> replicas) {
    List<String> problems = new ArrayList<>();
    ReplicaStatus leader = null;
    for (String node : group.getReplicasList()) {
      ReplicaStatus r = replicas.get(group.getGroupId() + "@" + node);
      if (r != null && r.getRole().equals("LEADER")) {
        leader = r;
      }
    }
    if (leader == null) {
      return problems; // the group check reports it; without a leader nothing is known here
    }
    Set<String> wanted = new TreeSet<>(group.getReplicasList());
    Set<String> voters = new TreeSet<>(leader.getVotersList());
    if (!voters.equals(wanted)) {
      problems.add(group.getGroupId() + " has voters " + voters + ", the map says " + wanted);
    }
    if (leader.getListenersCount() > 0) {
      problems.add(group.getGroupId() + " has listeners " + leader.getListenersList());
    }
    if (!group.getGroupId().equals(META_GROUP)) {
      Set<String> mapRanges = new HashSet<>();
      for (RangeAssignment r : placement.getRangesList()) {
        if (r.getGroupId().equals(group.getGroupId())) {
          mapRanges.add(r.getStart() + "-" + r.getEnd());
        }
      }
      Set<String> owned = new HashSet<>();
      leader.getOwnedRangesList().forEach(r -> owned.add(r.getStart() + "-" + r.getEnd()));
      if (!owned.equals(mapRanges)) {
        problems.add(group.getGroupId() + " has not applied the map's ranges (its leader owns "
            + owned.size() + " ranges at ownership epoch " + leader.getOwnershipEpoch()
            + ", the map gives it " + mapRanges.size() + ")");
      }
    }
    return problems;
  }
}
