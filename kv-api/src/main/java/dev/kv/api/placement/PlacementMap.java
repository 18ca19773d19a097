package dev.kv.api.placement;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The cluster's layout at one epoch: which group owns which part of the hash ring, which nodes
 * hold each group's replicas, and which nodes exist. The ranges are sorted, contiguous and cover
 * the whole ring, so every hash has exactly one owner; every owner is a known group and every
 * replica a known node (all checked on construction). Clients and servers route with {@code
 * groupFor(KeyHash.of(key))}; a newer map has a larger epoch.
 *
 * <p>Pure data, no I/O: the server keeps the authoritative copy in its meta group, clients cache
 * one. Groups may own no range (the meta group owns none of the ring).
 */
public record PlacementMap(
    long epoch, List<Assignment> assignments, List<GroupPlacement> groups, List<ClusterNode> nodes) {

  /** One range and the group that owns it. */
  public record Assignment(HashRange range, GroupId group) {}

  public PlacementMap {
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch is " + epoch + "; it must be >= 1");
    }
    assignments = List.copyOf(assignments);
    groups = groups.stream().sorted(Comparator.comparing(g -> g.id().value())).toList();
    nodes = nodes.stream().sorted(Comparator.comparing(n -> n.id().value())).toList();
    checkCoversRingExactlyOnce(assignments);
    checkReferences(assignments, groups, nodes);
  }

  /**
   * A map in which {@code groupIds.size()} groups own equal consecutive ranges of the ring, in
   * the given order, with the given replicas.
   */
  public static PlacementMap evenly(
      long epoch, List<GroupPlacement> rangeOwners, List<GroupPlacement> others,
      List<ClusterNode> nodes) {
    int n = rangeOwners.size();
    if (n < 1) {
      throw new IllegalArgumentException("at least one group must own a range");
    }
    BigInteger ring = BigInteger.ONE.shiftLeft(64);
    List<Assignment> assignments = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long start = ring.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(n)).longValue();
      long end =
          i == n - 1
              ? 0
              : ring.multiply(BigInteger.valueOf(i + 1)).divide(BigInteger.valueOf(n)).longValue();
      assignments.add(new Assignment(new HashRange(start, end), rangeOwners.get(i).id()));
    }
    List<GroupPlacement> all = new ArrayList<>(rangeOwners);
    all.addAll(others);
    return new PlacementMap(epoch, assignments, all, nodes);
  }

  /** The owner of a hash. */
  public GroupId groupFor(long hash) {
    return assignmentFor(hash).group();
  }

  /** The range containing a hash and its owner. */
  public Assignment assignmentFor(long hash) {
    int lo = 0;
    int hi = assignments.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (Long.compareUnsigned(assignments.get(mid).range().start(), hash) <= 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return assignments.get(lo);
  }

  /** The ranges a group owns (none for a group without data, such as the meta group). */
  public List<HashRange> rangesOf(GroupId group) {
    return assignments.stream().filter(a -> a.group().equals(group)).map(Assignment::range).toList();
  }

  public Optional<GroupPlacement> group(GroupId id) {
    return groups.stream().filter(g -> g.id().equals(id)).findFirst();
  }

  public Optional<ClusterNode> node(NodeId id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
  }

  /** The groups with a replica on {@code node}. */
  public List<GroupPlacement> groupsOn(NodeId node) {
    return groups.stream().filter(g -> g.hasReplicaOn(node)).toList();
  }

  /** The next epoch's map with one group's replicas replaced. */
  public PlacementMap withReplicas(GroupId id, List<NodeId> replicas) {
    group(id).orElseThrow(() -> new IllegalArgumentException("no group " + id));
    List<GroupPlacement> next =
        groups.stream()
            .map(g -> g.id().equals(id) ? new GroupPlacement(id, replicas) : g)
            .toList();
    return new PlacementMap(epoch + 1, assignments, next, nodes);
  }

  /** The next epoch's map with a node added, or replaced if one with its id exists. */
  public PlacementMap withNode(ClusterNode node) {
    List<ClusterNode> next = new ArrayList<>(nodes);
    next.removeIf(n -> n.id().equals(node.id()));
    next.add(node);
    return new PlacementMap(epoch + 1, assignments, groups, next);
  }

  /** The next epoch's map with a node changed by {@code change}. */
  public PlacementMap withNodeChanged(NodeId id, UnaryOperator<ClusterNode> change) {
    ClusterNode current = node(id).orElseThrow(() -> new IllegalArgumentException("no node " + id));
    return withNode(change.apply(current));
  }

  /** The next epoch's map without a node; it must hold no replica. */
  public PlacementMap withoutNode(NodeId id) {
    List<ClusterNode> next = new ArrayList<>(nodes);
    next.removeIf(n -> n.id().equals(id));
    return new PlacementMap(epoch + 1, assignments, groups, next);
  }

  /**
   * A new map, one epoch later, in which the range containing {@code at} is cut in two at
   * {@code at}; the upper part goes to {@code upperOwner}, which is created with the replicas of
   * the range's owner if the map does not know it yet.
   */
  public PlacementMap split(long at, GroupId upperOwner) {
    List<Assignment> next = new ArrayList<>();
    GroupId splitOwner = null;
    for (Assignment a : assignments) {
      if (a.range().contains(at) && a.range().start() != at) {
        next.add(new Assignment(new HashRange(a.range().start(), at), a.group()));
        next.add(new Assignment(new HashRange(at, a.range().end()), upperOwner));
        splitOwner = a.group();
      } else {
        next.add(a);
      }
    }
    if (splitOwner == null) {
      throw new IllegalArgumentException(
          "hash " + Long.toUnsignedString(at, 16) + " is already the start of a range");
    }
    List<GroupPlacement> nextGroups = new ArrayList<>(groups);
    if (group(upperOwner).isEmpty()) {
      nextGroups.add(new GroupPlacement(upperOwner, group(splitOwner).orElseThrow().replicas()));
    }
    return new PlacementMap(epoch + 1, next, nextGroups, nodes);
  }

  private static void checkCoversRingExactlyOnce(List<Assignment> assignments) {
    if (assignments.isEmpty()) {
      throw new IllegalArgumentException("a placement map needs at least one range");
    }
    long expectedStart = 0;
    for (int i = 0; i < assignments.size(); i++) {
      HashRange r = assignments.get(i).range();
      if (r.start() != expectedStart) {
        throw new IllegalArgumentException(
            "range " + i + " " + r + " starts at " + Long.toUnsignedString(r.start(), 16)
                + " but the previous range ends at " + Long.toUnsignedString(expectedStart, 16)
                + ": ranges must be contiguous, without gaps or overlaps");
      }
      boolean last = i == assignments.size() - 1;
      if (r.reachesEnd() != last) {
        throw new IllegalArgumentException(
            last
                ? "the last range " + r + " must reach the end of the ring"
                : "range " + i + " " + r + " reaches the end of the ring before the last range");
      }
      expectedStart = r.end();
    }
  }

  private static void checkReferences(
      List<Assignment> assignments, List<GroupPlacement> groups, List<ClusterNode> nodes) {
    Set<GroupId> groupIds = new HashSet<>();
    for (GroupPlacement g : groups) {
      if (!groupIds.add(g.id())) {
        throw new IllegalArgumentException("group " + g.id() + " is listed twice");
      }
    }
    Set<NodeId> nodeIds = new HashSet<>();
    for (ClusterNode n : nodes) {
      if (!nodeIds.add(n.id())) {
        throw new IllegalArgumentException("node " + n.id() + " is listed twice");
      }
    }
    for (Assignment a : assignments) {
      if (!groupIds.contains(a.group())) {
        throw new IllegalArgumentException(
            "range " + a.range() + " is owned by group " + a.group() + ", which the map lacks");
      }
    }
    for (GroupPlacement g : groups) {
      for (NodeId replica : g.replicas()) {
        if (!nodeIds.contains(replica)) {
          throw new IllegalArgumentException(
              "group " + g.id() + " has a replica on node " + replica + ", which the map lacks");
        }
      }
    }
  }
}
