package dev.kv.server.placement;

import dev.kv.api.placement.ClusterNode;
import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.GroupPlacement;
import dev.kv.api.placement.HashRange;
import dev.kv.api.placement.NodeId;
import dev.kv.api.placement.NodeState;
import dev.kv.api.placement.PlacementMap;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.raft.RaftGroups;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The placement controller's decisions, as a pure function: (placement map, node registry,
 * observation) -> steps. No I/O and no clock, so every decision can be tested and replayed.
 *
 * <p>It works in layers and returns the steps of the first layer that has work, so the cluster
 * converges one concern at a time:
 *
 * <ol>
 *   <li>bootstrap: no map yet and every seed registered -> the initial map;
 *   <li>registry: nodes joined or changed state -> a map with the registry's nodes;
 *   <li>reconcile: bring each group's real replicas and owned ranges to what the map says
 *       (create, add as a staged voter, remove, delete, assign ranges);
 *   <li>rebalance: when every group matches the map, move one replica off a draining, dead or
 *       overloaded node to the least-loaded node (a map change, reconciled by layer 3);
 *   <li>leaders: move one leadership towards no node leading more than its share.
 * </ol>
 */
public final class Planner {
  private final ClusterSettings settings;
  private final Set<NodeId> seeds;

  public Planner(ClusterSettings settings, Set<NodeId> seeds) {
    this.settings = settings;
    this.seeds = Set.copyOf(seeds);
  }

  public List<Step> plan(
      Optional<PlacementMap> current, List<ClusterNode> registry, Observation seen) {
    if (current.isEmpty()) {
      return bootstrap(registry);
    }
    PlacementMap map = current.get();
    List<Step> steps = syncRegistry(map, registry);
    if (steps.isEmpty()) {
      steps = reconcile(map, seen);
    }
    // Layers 4 and 5 start new changes: only once the previous ones are done everywhere.
    if (steps.isEmpty() && isSettled(map, seen)) {
      steps = rebalance(map, seen);
      if (steps.isEmpty()) {
        steps = balanceLeaders(map, seen);
      }
    }
    return steps;
  }

  /**
   * Whether every group has a leader whose voters are exactly the map's replicas, no listeners,
   * and no replica left on a reachable node outside the map.
   */
  static boolean isSettled(PlacementMap map, Observation seen) {
    for (GroupPlacement g : map.groups()) {
      var leader = seen.leaderOf(g.id());
      if (leader.isEmpty()
          || !leader.get().getValue().voters().equals(Set.copyOf(g.replicas()))
          || !leader.get().getValue().listeners().isEmpty()) {
        return false;
      }
      for (var e : seen.reachable().entrySet()) {
        boolean hosts = e.getValue().stream().anyMatch(r -> r.group().equals(g.id()));
        if (hosts && !g.hasReplicaOn(e.getKey())) {
          return false;
        }
      }
    }
    return true;
  }

  // ---- 1. bootstrap --------------------------------------------------------------------------

  private List<Step> bootstrap(List<ClusterNode> registry) {
    Set<NodeId> registered = new TreeSet<>(Comparator.comparing(NodeId::value));
    registry.forEach(n -> registered.add(n.id()));
    if (!registered.containsAll(seeds)) {
      return List.of();
    }
    return List.of(new Step.WriteMap(initialMap(registry), "bootstrap"));
  }

  /** The first map: equal ranges, replicas spread so group counts differ by at most one. */
  PlacementMap initialMap(List<ClusterNode> registry) {
    List<NodeId> eligible =
        registry.stream().map(ClusterNode::id).sorted(Comparator.comparing(NodeId::value)).toList();
    int replication = Math.min(settings.replication(), eligible.size());
    Map<NodeId, Integer> load = new HashMap<>();
    eligible.forEach(n -> load.put(n, 0));
    List<GroupPlacement> dataGroups = new ArrayList<>();
    for (int g = 0; g < settings.dataGroups(); g++) {
      GroupId id = new GroupId("data-" + g);
      List<NodeId> replicas =
          eligible.stream()
              .sorted(Comparator.comparing((NodeId n) -> load.get(n))
                  .thenComparing(n -> rendezvous(id, n)))
              .limit(replication)
              .toList();
      replicas.forEach(n -> load.merge(n, 1, Integer::sum));
      dataGroups.add(new GroupPlacement(id, replicas));
    }
    List<NodeId> metaReplicas =
        seeds.stream().sorted(Comparator.comparing(NodeId::value)).toList();
    return PlacementMap.evenly(
        1, dataGroups, List.of(new GroupPlacement(RaftGroups.META, metaReplicas)), registry);
  }

  /** Rendezvous score: ties between equally loaded nodes break the same way on every node. */
  private static long rendezvous(GroupId group, NodeId node) {
    return dev.kv.api.KeyHash.of((group.value() + "/" + node.value()).getBytes(
        java.nio.charset.StandardCharsets.UTF_8));
  }

  // ---- 2. registry ---------------------------------------------------------------------------

  private static List<Step> syncRegistry(PlacementMap map, List<ClusterNode> registry) {
    Set<ClusterNode> inMap = Set.copyOf(map.nodes());
    PlacementMap next = map;
    for (ClusterNode node : registry) {
      if (!inMap.contains(node)) {
        next = next.withNode(node);
      }
    }
    // A node removed from the registry leaves the map once it holds no replica.
    Set<NodeId> registered = new java.util.HashSet<>();
    registry.forEach(n -> registered.add(n.id()));
    for (ClusterNode node : map.nodes()) {
      if (!registered.contains(node.id()) && map.groupsOn(node.id()).isEmpty()) {
        next = next.withoutNode(node.id());
      }
    }
    if (next == map) {
      return List.of();
    }
    return List.of(new Step.WriteMap(renumber(next, map.epoch() + 1), "node registry changed"));
  }

  /** Several map edits in one step are one change: one epoch later than the base map. */
  private static PlacementMap renumber(PlacementMap next, long epoch) {
    return new PlacementMap(epoch, next.assignments(), next.groups(), next.nodes());
  }

  // ---- 3. reconcile --------------------------------------------------------------------------

  private List<Step> reconcile(PlacementMap map, Observation seen) {
    List<Step> steps = new ArrayList<>();
    for (GroupPlacement group : map.groups()) {
      steps.addAll(reconcileGroup(map, group, seen));
    }
    return steps;
  }

  private List<Step> reconcileGroup(PlacementMap map, GroupPlacement group, Observation seen) {
    GroupId id = group.id();
    List<NodeId> desired = group.replicas();
    Optional<Map.Entry<NodeId, Observation.Replica>> leader = seen.leaderOf(id);
    boolean hostedAnywhere =
        seen.reachable().values().stream()
            .anyMatch(replicas -> replicas.stream().anyMatch(r -> r.group().equals(id)));

    if (!hostedAnywhere) {
      // A new group: create every replica with the full membership, once all are reachable.
      if (desired.stream().allMatch(seen::isReachable)) {
        return desired.stream()
            .map(n -> (Step) new Step.CreateReplica(id, n, desired))
            .toList();
      }
      return List.of();
    }
    if (leader.isEmpty()) {
      return List.of(); // an election or a partition: wait
    }
    Observation.Replica lead = leader.get().getValue();
    List<NodeId> voters = sorted(lead.voters());
    List<NodeId> listeners = sorted(lead.listeners());

    // A reachable voter that hosts no replica has lost it (a wiped disk, a replica deleted by
    // hand). An empty replica must never vote: it could elect a leader missing committed
    // entries. Remove it from the membership first; the steps below then create a fresh replica
    // and add it as a staged voter, which catches up before it counts.
    for (NodeId voter : voters) {
      if (seen.isReachable(voter) && seen.replica(voter, id).isEmpty() && voters.size() > 1) {
        return List.of(new Step.ChangeMembers(id, voters, minus(voters, voter),
            minus(listeners, voter), "remove " + voter + ": it is up but lost its replica"));
      }
    }

    // Nodes the map wants that are not members yet: create the replica, then add it as a voter.
    // Ratis stages a new voter: it catches up without a vote, and only then is the joint
    // configuration proposed, so it never counts toward a quorum before it has the log. (Adding
    // it as a LISTENER first and promoting it in the same leader term leaves it in Ratis 3.3.0's
    // "initializing" state: the leader never marks it caught up, so it can never campaign.)
    for (NodeId wanted : desired) {
      if (voters.contains(wanted)) {
        continue;
      }
      if (!seen.isReachable(wanted)) {
        return List.of();
      }
      if (seen.replica(wanted, id).isEmpty()) {
        return List.of(new Step.CreateReplica(id, wanted, voters));
      }
      return List.of(new Step.ChangeMembers(id, voters, plus(voters, wanted),
          minus(listeners, wanted), "add " + wanted + " as a voter (staged: it catches up first)"));
    }

    // Every wanted node votes; drop the members the map no longer lists.
    List<NodeId> extraVoters = voters.stream().filter(v -> !desired.contains(v)).toList();
    List<NodeId> extraListeners = listeners.stream().filter(v -> !desired.contains(v)).toList();
    if (!extraVoters.isEmpty() || !extraListeners.isEmpty()) {
      NodeId leaderNode = leader.get().getKey();
      if (extraVoters.contains(leaderNode)) {
        return List.of(new Step.TransferLeader(id, bestLeader(desired, seen)));
      }
      return List.of(new Step.ChangeMembers(id, voters, sorted(Set.copyOf(desired)), List.of(),
          "remove " + extraVoters + extraListeners));
    }

    // Replicas left behind on nodes that are no longer members.
    List<Step> steps = new ArrayList<>();
    for (var e : seen.reachable().entrySet()) {
      boolean hosts = e.getValue().stream().anyMatch(r -> r.group().equals(id));
      if (hosts && !desired.contains(e.getKey())) {
        steps.add(new Step.DeleteReplica(id, e.getKey()));
      }
    }

    // The ranges the group owns must be the map's.
    List<HashRange> ranges = map.rangesOf(id);
    if (!id.equals(RaftGroups.META) && !lead.ownedRanges().equals(ranges)) {
      steps.add(new Step.AssignRanges(id, map.epoch(), ranges));
    }
    return steps;
  }

  private static NodeId bestLeader(List<NodeId> candidates, Observation seen) {
    return candidates.stream()
        .filter(seen::isReachable)
        .min(Comparator.comparing((NodeId n) -> leaderCount(n, seen)).thenComparing(NodeId::value))
        .orElse(candidates.get(0));
  }

  private static long leaderCount(NodeId node, Observation seen) {
    return seen.reachable().getOrDefault(node, List.of()).stream()
        .filter(Observation.Replica::leader)
        .count();
  }

  // ---- 4. rebalance --------------------------------------------------------------------------

  private List<Step> rebalance(PlacementMap map, Observation seen) {
    List<NodeId> eligible =
        map.nodes().stream()
            .filter(n -> n.state() == NodeState.ACTIVE && !isDown(n.id(), seen))
            .map(ClusterNode::id)
            .sorted(Comparator.comparing(NodeId::value))
            .toList();
    if (eligible.isEmpty()) {
      return List.of();
    }
    Map<NodeId, Integer> load = new HashMap<>();
    eligible.forEach(n -> load.put(n, 0));
    for (GroupPlacement g : map.groups()) {
      g.replicas().forEach(n -> load.computeIfPresent(n, (k, v) -> v + 1));
    }
    // First, replicas on nodes that must be emptied (draining or down too long).
    for (GroupPlacement g : map.groups()) {
      for (NodeId holder : g.replicas()) {
        if (!eligible.contains(holder)) {
          Optional<NodeId> target = leastLoaded(eligible, load, g);
          if (target.isPresent()) {
            return List.of(move(map, g, holder, target.get(),
                holder + " is " + (isDown(holder, seen) ? "down" : "draining")));
          }
        }
      }
    }
    // Then, groups short of replicas (the cluster grew past a replication it could not meet).
    int replication = Math.min(settings.replication(), eligible.size());
    for (GroupPlacement g : map.groups()) {
      if (g.replicas().size() < replication && !g.id().equals(RaftGroups.META)) {
        Optional<NodeId> target = leastLoaded(eligible, load, g);
        if (target.isPresent()) {
          List<NodeId> replicas = plus(g.replicas(), target.get());
          return List.of(new Step.WriteMap(map.withReplicas(g.id(), replicas),
              g.id() + " has " + g.replicas().size() + " of " + replication + " replicas"));
        }
      }
    }
    // Then, even out group counts: move from the most to the least loaded while they differ by 2+.
    NodeId most = eligible.stream().max(Comparator.comparing(load::get)).orElseThrow();
    NodeId least = eligible.stream().min(Comparator.comparing(load::get)).orElseThrow();
    if (load.get(most) - load.get(least) >= 2) {
      for (GroupPlacement g : map.groups()) {
        if (g.hasReplicaOn(most) && !g.hasReplicaOn(least)) {
          return List.of(move(map, g, most, least,
              "balance: " + most + " holds " + load.get(most) + ", " + least + " holds "
                  + load.get(least)));
        }
      }
    }
    return List.of();
  }

  private boolean isDown(NodeId node, Observation seen) {
    var down = seen.unreachableFor().get(node);
    return down != null && down.compareTo(settings.nodeDownAfter()) >= 0;
  }

  private static Optional<NodeId> leastLoaded(
      List<NodeId> eligible, Map<NodeId, Integer> load, GroupPlacement group) {
    return eligible.stream()
        .filter(n -> !group.hasReplicaOn(n))
        .min(Comparator.comparing((NodeId n) -> load.get(n)).thenComparing(NodeId::value));
  }

  private static Step move(
      PlacementMap map, GroupPlacement g, NodeId from, NodeId to, String why) {
    List<NodeId> replicas = new ArrayList<>(g.replicas());
    replicas.set(replicas.indexOf(from), to);
    return new Step.WriteMap(
        map.withReplicas(g.id(), replicas), "move " + g.id() + " from " + from + " to " + to
            + " (" + why + ")");
  }

  // ---- 5. leaders ----------------------------------------------------------------------------

  /**
   * One leadership transfer towards no node leading more than its share (the groups over the
   * active nodes, rounded up). A node over its share hands a group to one of the group's replicas
   * that leads at least two fewer. When none of its groups has such a replica, a chain does it: X
   * leads g1, replicated on Y, which leads as many as X minus one and leads g2, replicated on Z,
   * which leads two fewer than X. Then Y hands g2 to Z first (Y ends as low as Z was), and X hands
   * g1 to Y next round. Each step leaves the sum of squared leader counts no larger and shortens
   * the chain, so the transfers end.
   */
  private static List<Step> balanceLeaders(PlacementMap map, Observation seen) {
    Map<NodeId, List<GroupId>> led = new HashMap<>();
    int groups = 0;
    for (GroupPlacement g : map.groups()) {
      Optional<Map.Entry<NodeId, Observation.Replica>> leader = seen.leaderOf(g.id());
      if (leader.isEmpty()) {
        return List.of(); // wait for every group to have a leader
      }
      led.computeIfAbsent(leader.get().getKey(), k -> new ArrayList<>()).add(g.id());
      groups++;
    }
    List<NodeId> nodes =
        map.nodes().stream()
            .filter(n -> n.state() == NodeState.ACTIVE && seen.isReachable(n.id()))
            .map(ClusterNode::id)
            .sorted(Comparator.comparing(NodeId::value))
            .toList();
    if (nodes.isEmpty()) {
      return List.of();
    }
    int fairShare = (groups + nodes.size() - 1) / nodes.size();
    for (NodeId over : nodes) {
      int count = led.getOrDefault(over, List.of()).size();
      if (count > fairShare) {
        Optional<Step> step = firstTransferOfChain(map, led, nodes, over, count);
        if (step.isPresent()) {
          return List.of(step.get());
        }
      }
    }
    return List.of();
  }

  /**
   * Breadth-first from {@code over} along "leads a group replicated on", through nodes leading
   * {@code count - 1} or more, to the nearest node leading {@code count - 2} or fewer; the
   * transfer into that node, the chain's last hop, goes first.
   */
  private static Optional<Step> firstTransferOfChain(
      PlacementMap map, Map<NodeId, List<GroupId>> led, List<NodeId> nodes, NodeId over,
      int count) {
    Set<NodeId> reached = new HashSet<>(List.of(over));
    ArrayDeque<NodeId> frontier = new ArrayDeque<>(List.of(over));
    while (!frontier.isEmpty()) {
      NodeId from = frontier.poll();
      for (GroupId gid : led.getOrDefault(from, List.of())) {
        for (NodeId to : map.group(gid).orElseThrow().replicas()) {
          if (!nodes.contains(to) || !reached.add(to)) {
            continue;
          }
          int toCount = led.getOrDefault(to, List.of()).size();
          if (toCount <= count - 2) {
            return Optional.of(new Step.TransferLeader(gid, to));
          }
          if (toCount >= count - 1) {
            frontier.add(to);
          }
        }
      }
    }
    return Optional.empty();
  }

  private static List<NodeId> sorted(Set<NodeId> ids) {
    return ids.stream().sorted(Comparator.comparing(NodeId::value)).toList();
  }

  private static List<NodeId> plus(List<NodeId> ids, NodeId id) {
    Set<NodeId> all = new LinkedHashSet<>(ids);
    all.add(id);
    return List.copyOf(all);
  }

  private static List<NodeId> minus(List<NodeId> ids, NodeId id) {
    return ids.stream().filter(n -> !n.equals(id)).toList();
  }
}
