package dev.kv.server.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.api.placement.ClusterNode;
import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.GroupPlacement;
import dev.kv.api.placement.NodeId;
import dev.kv.api.placement.NodeState;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.testing.SeededRuns;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.raft.RaftGroups;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The placement decisions, as the pure function they are: map x registry x observation -> steps. */
class PlannerTest {
  private static final GroupId G = new GroupId("data-0");

  static ClusterNode node(int i) {
    return new ClusterNode(new NodeId("n" + i), "127.0.0.1:" + (7000 + i), "127.0.0.1:" + (6000 + i),
        NodeState.ACTIVE);
  }

  static List<ClusterNode> nodes(int count) {
    List<ClusterNode> all = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      all.add(node(i));
    }
    return all;
  }

  static Set<NodeId> seeds(int count) {
    Set<NodeId> ids = new HashSet<>();
    nodes(count).forEach(n -> ids.add(n.id()));
    return ids;
  }

  static Planner planner(int groups, int seeds) {
    return new Planner(new ClusterSettings(groups, 3, Duration.ofMinutes(5)), seeds(seeds));
  }

  /**
   * What the nodes would report if every group were exactly as the map says: each replica
   * present and caught up, owning its ranges, the first replica leading.
   */
  static Observation settled(PlacementMap map) {
    Map<GroupId, NodeId> firstReplicas = new HashMap<>();
    map.groups().forEach(g -> firstReplicas.put(g.id(), g.replicas().get(0)));
    return ledBy(map, firstReplicas);
  }

  static Map<NodeId, Integer> load(PlacementMap map) {
    Map<NodeId, Integer> load = new HashMap<>();
    map.nodes().forEach(n -> load.put(n.id(), 0));
    map.groups().forEach(g -> g.replicas().forEach(r -> load.merge(r, 1, Integer::sum)));
    return load;
  }

  static int spread(PlacementMap map) {
    var load = load(map).values();
    return load.stream().max(Integer::compare).orElse(0) - load.stream().min(Integer::compare).orElse(0);
  }

  /** Plans against settled observations and applies map changes until nothing is left to do. */
  static PlacementMap converge(Planner planner, PlacementMap map, List<ClusterNode> registry,
      List<Step.WriteMap> writes) {
    for (int round = 0; round < 1000; round++) {
      List<Step> steps = planner.plan(Optional.of(map), registry, settled(map));
      Optional<Step.WriteMap> write =
          steps.stream().filter(s -> s instanceof Step.WriteMap).map(s -> (Step.WriteMap) s).findFirst();
      if (write.isEmpty()) {
        return map;
      }
      assertThat(write.get().next().epoch()).isEqualTo(map.epoch() + 1);
      writes.add(write.get());
      map = write.get().next();
    }
    throw new AssertionError("placement did not converge");
  }

  @Test
  void bootstrapWaitsForEverySeedThenSpreadsGroupsEvenly() {
    Planner planner = planner(8, 3);
    assertThat(planner.plan(Optional.empty(), nodes(2), settled(initial(planner, 3)))).isEmpty();

    List<Step> steps = planner.plan(Optional.empty(), nodes(3), new Observation(Map.of(), Map.of()));

    assertThat(steps).hasSize(1);
    PlacementMap map = ((Step.WriteMap) steps.get(0)).next();
    assertThat(map.epoch()).isEqualTo(1);
    assertThat(map.assignments()).hasSize(8);
    assertThat(map.group(RaftGroups.META).orElseThrow().replicas()).hasSize(3);
    assertThat(map.groups().stream().filter(g -> !g.id().equals(RaftGroups.META)))
        .allMatch(g -> g.replicas().size() == 3);
  }

  private static PlacementMap initial(Planner planner, int nodes) {
    return planner.initialMap(nodes(nodes));
  }

  @Test
  void theInitialMapIsBalancedWithinOneForAnySize() {
    SeededRuns.run("PlannerTest.initial", 100, random -> {
      int nodeCount = 1 + random.nextInt(9);
      int groups = 1 + random.nextInt(40);
      PlacementMap map =
          new Planner(new ClusterSettings(groups, 3, Duration.ofMinutes(5)), seeds(Math.min(3, nodeCount)))
              .initialMap(nodes(nodeCount));
      assertThat(spread(map)).isLessThanOrEqualTo(1 + (nodeCount > 3 ? 1 : 0));
      for (GroupPlacement g : map.groups()) {
        if (!g.id().equals(RaftGroups.META)) {
          assertThat(g.replicas()).hasSize(Math.min(3, nodeCount));
        }
      }
    });
  }

  @Test
  void aJoinMovesNoMoreThanTheNewNodesFairShareAndEndsBalanced() {
    SeededRuns.run("PlannerTest.join", 40, random -> {
      int start = 3 + random.nextInt(3);
      int groups = 4 + random.nextInt(20);
      Planner planner = planner(groups, 3);
      PlacementMap map = converge(planner, planner.initialMap(nodes(start)), nodes(start), new ArrayList<>());
      int replicasBefore = load(map).values().stream().mapToInt(Integer::intValue).sum();

      List<Step.WriteMap> writes = new ArrayList<>();
      PlacementMap after = converge(planner, map, nodes(start + 1), writes);

      assertThat(spread(after)).isLessThanOrEqualTo(1);
      int fairShare = (replicasBefore + start) / (start + 1);
      long moves = writes.stream().filter(w -> w.reason().startsWith("move")).count();
      assertThat(moves).isLessThanOrEqualTo(fairShare);
      assertThat(load(after).get(new NodeId("n" + (start + 1)))).isGreaterThanOrEqualTo(fairShare - 1);
    });
  }

  @Test
  void aDrainedNodeEndsWithNoReplicaAndTheRestStayBalanced() {
    Planner planner = planner(8, 3);
    List<ClusterNode> four = nodes(4);
    PlacementMap map = converge(planner, planner.initialMap(nodes(3)), four, new ArrayList<>());
    List<ClusterNode> draining = new ArrayList<>(four);
    draining.set(0, node(1).withState(NodeState.DRAINING));

    PlacementMap after = converge(planner, map, draining, new ArrayList<>());

    assertThat(after.groupsOn(new NodeId("n1"))).isEmpty();
    Map<NodeId, Integer> load = load(after);
    load.remove(new NodeId("n1"));
    assertThat(load.values().stream().max(Integer::compare).get()
        - load.values().stream().min(Integer::compare).get()).isLessThanOrEqualTo(1);
  }

  @Test
  void aNodeDownLongerThanTheLimitHasItsReplicasRecreatedElsewhere() {
    Planner planner = planner(4, 3);
    PlacementMap map = converge(planner, planner.initialMap(nodes(3)), nodes(4), new ArrayList<>());
    NodeId dead = map.group(G).orElseThrow().replicas().get(1);
    Observation seen = settled(map);
    Map<NodeId, List<Observation.Replica>> reachable = new HashMap<>(seen.reachable());
    reachable.remove(dead);

    List<Step> early = planner.plan(Optional.of(map), map.nodes(),
        new Observation(reachable, Map.of(dead, Duration.ofMinutes(1))));
    List<Step> late = planner.plan(Optional.of(map), map.nodes(),
        new Observation(reachable, Map.of(dead, Duration.ofMinutes(6))));

    assertThat(early).noneMatch(s -> s instanceof Step.WriteMap);
    assertThat(late).singleElement().isInstanceOf(Step.WriteMap.class);
    assertThat(((Step.WriteMap) late.get(0)).reason()).contains(dead + " is down");
  }

  @Test
  void aMoveCreatesThenAddsAStagedVoterThenRemovesTheOldOne() {
    Planner planner = planner(1, 3);
    PlacementMap base = planner.initialMap(nodes(3)).withNode(node(4));
    // Replace n3 by n4 in data-0 the way a rebalance would.
    GroupPlacement g = base.group(G).orElseThrow();
    List<NodeId> oldVoters = g.replicas();
    NodeId leaving = oldVoters.get(2);
    List<NodeId> wanted = new ArrayList<>(oldVoters);
    wanted.set(2, new NodeId("n4"));
    PlacementMap map = base.withReplicas(G, wanted);
    NodeId leader = oldVoters.get(0);

    // n4 does not host it yet: create it with the current membership (it waits to be contacted).
    List<Step> steps = planner.plan(Optional.of(map), map.nodes(), observe(map, oldVoters, Set.of(), false));
    assertThat(steps).containsExactly(new Step.CreateReplica(G, new NodeId("n4"), sorted(oldVoters)));

    // Created: add it as a voter (Ratis stages it until it has caught up), keeping the old one.
    steps = planner.plan(Optional.of(map), map.nodes(), observe(map, oldVoters, Set.of(), true));
    Step.ChangeMembers add = (Step.ChangeMembers) steps.get(0);
    assertThat(add.fromVoters()).containsExactlyElementsOf(sorted(oldVoters));
    assertThat(add.voters()).contains(new NodeId("n4")).contains(leaving).hasSize(4);
    assertThat(add.listeners()).isEmpty();

    // A stray listener is dropped by the same change.
    steps = planner.plan(Optional.of(map), map.nodes(),
        observe(map, oldVoters, Set.of(new NodeId("n4")), true));
    assertThat(((Step.ChangeMembers) steps.get(0)).listeners()).isEmpty();

    // Added: the replica the map dropped is removed, then its data deleted.
    List<NodeId> four = new ArrayList<>(oldVoters);
    four.add(new NodeId("n4"));
    steps = planner.plan(Optional.of(map), map.nodes(), observe(map, four, Set.of(), true));
    Step.ChangeMembers remove = (Step.ChangeMembers) steps.get(0);
    assertThat(remove.voters()).doesNotContain(leaving).hasSize(3);
    assertThat(leader).isNotEqualTo(leaving);
  }

  @Test
  void aVoterThatLostItsReplicaIsRemovedBeforeAFreshOneIsAdded() {
    Planner planner = planner(1, 3);
    PlacementMap map = planner.initialMap(nodes(3));
    List<NodeId> replicas = map.group(G).orElseThrow().replicas();
    List<NodeId> voters = sorted(replicas);
    NodeId wiped = replicas.get(2); // not the leader: settled observations make the first lead
    // The leader still counts the wiped node as a voter; the node is up but hosts nothing.
    Observation seen = settled(map);
    Map<NodeId, List<Observation.Replica>> reachable = new HashMap<>(seen.reachable());
    reachable.put(wiped, reachable.get(wiped).stream().filter(r -> !r.group().equals(G)).toList());
    seen = new Observation(reachable, Map.of());

    List<Step> steps = planner.plan(Optional.of(map), map.nodes(), seen);

    assertThat(steps).singleElement().isInstanceOf(Step.ChangeMembers.class);
    Step.ChangeMembers remove = (Step.ChangeMembers) steps.get(0);
    assertThat(remove.voters()).containsExactlyElementsOf(minus(voters, wiped));
    assertThat(remove.reason()).contains("lost its replica");

    // Once it is out, the usual path creates a fresh replica there (added as a staged voter next).
    List<NodeId> two = minus(voters, wiped);
    steps = planner.plan(Optional.of(map), map.nodes(), observe(map, two, Set.of(), false));
    assertThat(steps).containsExactly(new Step.CreateReplica(G, wiped, two));
  }

  private static List<NodeId> minus(List<NodeId> ids, NodeId id) {
    return ids.stream().filter(n -> !n.equals(id)).toList();
  }

  @Test
  void aLeaderTheMapDropsHandsOverBeforeItIsRemoved() {
    Planner planner = planner(1, 3);
    PlacementMap base = planner.initialMap(nodes(3)).withNode(node(4));
    List<NodeId> oldVoters = base.group(G).orElseThrow().replicas();
    NodeId leaving = oldVoters.get(0); // the leader in settled observations
    List<NodeId> wanted = new ArrayList<>(oldVoters);
    wanted.set(0, new NodeId("n4"));
    PlacementMap map = base.withReplicas(G, wanted);
    List<NodeId> four = new ArrayList<>(oldVoters);
    four.add(new NodeId("n4"));

    List<Step> steps = planner.plan(Optional.of(map), map.nodes(), observe(map, four, Set.of(), true));

    assertThat(steps).singleElement().isInstanceOf(Step.TransferLeader.class);
    assertThat(((Step.TransferLeader) steps.get(0)).node()).isNotEqualTo(leaving);
  }

  @Test
  void aGroupWhoseRangesDifferFromTheMapIsToldItsRanges() {
    Planner planner = planner(2, 3);
    PlacementMap map = planner.initialMap(nodes(3));
    Observation seen = settled(map);
    Map<NodeId, List<Observation.Replica>> reachable = new HashMap<>();
    seen.reachable().forEach((node, replicas) -> reachable.put(node, replicas.stream()
        .map(r -> r.group().equals(G)
            ? new Observation.Replica(r.group(), r.leader(), List.of(), r.voters(), Set.of())
            : r)
        .toList()));

    List<Step> steps = planner.plan(Optional.of(map), map.nodes(), new Observation(reachable, Map.of()));

    assertThat(steps).containsExactly(new Step.AssignRanges(G, map.epoch(), map.rangesOf(G)));
  }

  /**
   * From any leadership a settled map allows (each group led by a random one of its replicas),
   * following the planner's transfers ends with no node leading more than its share of the
   * groups, rounded up, and every transfer goes to a replica of the group.
   */
  @Test
  void leadershipTransfersEndWithNoNodeLeadingMoreThanItsShare() {
    SeededRuns.run("PlannerTest.leaders", 100, random -> {
      int nodeCount = 3 + random.nextInt(4);
      Planner planner = planner(2 + random.nextInt(16), 3);
      PlacementMap map =
          converge(planner, planner.initialMap(nodes(3)), nodes(nodeCount), new ArrayList<>());
      Map<GroupId, NodeId> leaders = new HashMap<>();
      for (GroupPlacement g : map.groups()) {
        leaders.put(g.id(), g.replicas().get(random.nextInt(g.replicas().size())));
      }

      int transfers = 0;
      for (List<Step> steps = planner.plan(Optional.of(map), map.nodes(), ledBy(map, leaders));
          !steps.isEmpty();
          steps = planner.plan(Optional.of(map), map.nodes(), ledBy(map, leaders))) {
        Step.TransferLeader transfer = (Step.TransferLeader) steps.get(0);
        assertThat(steps).hasSize(1);
        assertThat(map.group(transfer.group()).orElseThrow().replicas()).contains(transfer.node());
        leaders.put(transfer.group(), transfer.node());
        assertThat(++transfers).as("transfers before the leaders settle").isLessThan(100);
      }

      Map<NodeId, Integer> led = new HashMap<>();
      map.nodes().forEach(n -> led.put(n.id(), 0));
      leaders.values().forEach(n -> led.merge(n, 1, Integer::sum));
      int share = (map.groups().size() + nodeCount - 1) / nodeCount;
      assertThat(led.values()).as("leaders per node, %s nodes", nodeCount)
          .allMatch(count -> count <= share);
    });
  }

  /** Every group exactly as the map says, led by the given replica. */
  static Observation ledBy(PlacementMap map, Map<GroupId, NodeId> leaders) {
    Map<NodeId, List<Observation.Replica>> reachable = new HashMap<>();
    map.nodes().forEach(n -> reachable.put(n.id(), new ArrayList<>()));
    for (GroupPlacement g : map.groups()) {
      for (NodeId n : g.replicas()) {
        reachable.get(n).add(new Observation.Replica(g.id(), n.equals(leaders.get(g.id())),
            map.rangesOf(g.id()), Set.copyOf(g.replicas()), Set.of()));
      }
    }
    return new Observation(reachable, Map.of());
  }

  /** data-0 led by its first map replica among {@code voters}, with n4 optionally hosting it. */
  private static Observation observe(PlacementMap map, List<NodeId> voters, Set<NodeId> listeners,
      boolean n4Hosts) {
    Observation settled = settled(map);
    Map<NodeId, List<Observation.Replica>> reachable = new HashMap<>();
    NodeId leader = voters.get(0);
    for (var e : settled.reachable().entrySet()) {
      List<Observation.Replica> replicas = new ArrayList<>();
      for (Observation.Replica r : e.getValue()) {
        if (!r.group().equals(G)) {
          replicas.add(r);
        }
      }
      NodeId node = e.getKey();
      boolean hosts = voters.contains(node) || (node.value().equals("n4") && n4Hosts);
      if (hosts) {
        replicas.add(new Observation.Replica(G, node.equals(leader), map.rangesOf(G),
            Set.copyOf(voters), listeners));
      }
      reachable.put(node, replicas);
    }
    return new Observation(reachable, Map.of());
  }

  private static List<NodeId> sorted(List<NodeId> ids) {
    return ids.stream().sorted(java.util.Comparator.comparing(NodeId::value)).toList();
  }
}
