package dev.kv.server.placement;

import dev.kv.api.placement.ClusterNode;
import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.HashRange;
import dev.kv.api.placement.NodeId;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.RangeAssignment;
import dev.kv.api.v1.ReplicaStatus;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.raft.Daemons;
import dev.kv.server.raft.RaftGroups;
import dev.kv.server.raft.RaftNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles the cluster with its placement map, on whichever node leads the meta group: every
 * round it reads the map and the node registry, asks every node for the state of its replicas,
 * lets the {@link Planner} decide, and has the {@link StepExecutor} carry out the steps. Being
 * driven by observation, it picks up where a previous leader stopped.
 */
public final class PlacementController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PlacementController.class);

  private final RaftNode raft;
  private final PlacementCache cache;
  private final NodeChannels channels;
  private final Planner planner;
  private final StepExecutor executor;
  private final long roundMillis;
  private final long timeoutMs;
  private final LongSupplier nanoClock;
  /** When each node was first seen unreachable in the current streak (nanoClock). */
  private final Map<NodeId, Long> unreachableSince = new HashMap<>();
  private final ScheduledExecutorService loop =
      Daemons.singleThread("kv-placement-controller");

  public PlacementController(
      RaftNode raft,
      PlacementCache cache,
      NodeChannels channels,
      ClusterSettings settings,
      Duration round,
      LongSupplier nanoClock) {
    this.raft = raft;
    this.cache = cache;
    this.channels = channels;
    Set<NodeId> seeds = new HashSet<>();
    raft.config().peers().forEach(p -> seeds.add(p.id()));
    this.planner = new Planner(settings, seeds);
    this.timeoutMs = raft.config().requestTimeout().toMillis();
    this.executor =
        new StepExecutor(raft.admin(), cache.metaStore(), cache, timeoutMs);
    this.roundMillis = round.toMillis();
    this.nanoClock = nanoClock;
  }

  public void start() {
    loop.scheduleWithFixedDelay(this::roundIfLeader, roundMillis, roundMillis, TimeUnit.MILLISECONDS);
  }

  private boolean leadsMeta() {
    return raft.replica(RaftGroups.META).map(d -> d.getInfo().isLeaderReady()).orElse(false);
  }

  private void roundIfLeader() {
    if (!leadsMeta()) {
      unreachableSince.clear();
      return;
    }
    try {
      round();
    } catch (Exception e) {
      LOG.warn("placement round failed: {}", e.toString());
    }
  }

  private void round() throws Exception {
    MetaStore meta = cache.metaStore();
    Optional<MetaStore.VersionedMap> current =
        meta.readMap().get(timeoutMs, TimeUnit.MILLISECONDS);
    current.ifPresent(v -> cache.adopt(v.map()));
    List<ClusterNode> registry = meta.registeredNodes().get(timeoutMs, TimeUnit.MILLISECONDS);
    List<ClusterNode> nodes = current.map(v -> v.map().nodes()).orElse(registry);
    Observation seen = observe(nodes);
    List<Step> steps = planner.plan(current.map(MetaStore.VersionedMap::map), registry, seen);
    PlacementMap base = current.map(MetaStore.VersionedMap::map).orElse(null);
    long version = current.map(MetaStore.VersionedMap::version).orElse(0L);
    for (Step step : steps) {
      if (!executor.execute(step, base, version)) {
        return;
      }
      if (step instanceof Step.WriteMap w) {
        cache.adopt(w.next());
        return; // everything else was planned from the old map
      }
    }
  }

  private Observation observe(List<ClusterNode> nodes) {
    Map<NodeId, List<Observation.Replica>> reachable = new HashMap<>();
    Map<NodeId, Duration> unreachableFor = new HashMap<>();
    long now = nanoClock.getAsLong();
    for (ClusterNode node : nodes) {
      try {
        NodeStatus status = channels.nodeStatus(node.apiAddress(), Math.min(timeoutMs, 3000));
        reachable.put(node.id(), replicas(status));
        unreachableSince.remove(node.id());
      } catch (RuntimeException e) {
        long since = unreachableSince.computeIfAbsent(node.id(), k -> now);
        unreachableFor.put(node.id(), Duration.ofNanos(now - since));
      }
    }
    return new Observation(reachable, unreachableFor);
  }

  static List<Observation.Replica> replicas(NodeStatus status) {
    List<Observation.Replica> out = new ArrayList<>();
    for (ReplicaStatus r : status.getReplicasList()) {
      List<HashRange> owned = new ArrayList<>();
      for (RangeAssignment a : r.getOwnedRangesList()) {
        owned.add(new HashRange(a.getStart(), a.getEnd()));
      }
      Set<NodeId> voters = new HashSet<>();
      r.getVotersList().forEach(v -> voters.add(new NodeId(v)));
      Set<NodeId> listeners = new HashSet<>();
      r.getListenersList().forEach(v -> listeners.add(new NodeId(v)));
      out.add(
          new Observation.Replica(
              new GroupId(r.getGroupId()),
              r.getRole().equals("LEADER"),
              owned,
              voters,
              listeners));
    }
    return out;
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
