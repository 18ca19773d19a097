package dev.kv.server.placement;

import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.GroupPlacement;
import dev.kv.api.placement.PlacementMap;
import dev.kv.server.api.GroupAccess;
import dev.kv.server.api.NotServingException;
import dev.kv.server.api.Routing;
import dev.kv.server.raft.Daemons;
import dev.kv.server.raft.RaftGroups;
import dev.kv.server.raft.RaftNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.protocol.RaftPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of the placement map, refreshed from the meta group every second and at once
 * when a request shows it is stale. Requests are routed with it; the group that receives a
 * request still checks ownership itself, so a stale copy costs a retry, never a misplaced write.
 */
public final class PlacementCache implements Routing, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PlacementCache.class);
  private static final long POLL_MILLIS = 1000;

  private final RaftNode raft;
  private final MetaStore metaStore;
  private final ScheduledExecutorService poller =
      Daemons.singleThread("kv-placement-poller");
  private final AtomicBoolean refreshQueued = new AtomicBoolean();
  private volatile PlacementMap current;
  /**
   * Each group's Raft peers in the current map, computed once per map. A group whose replicas did
   * not change keeps the same list instance, so the request path recognises its channel by
   * identity.
   */
  private volatile Map<GroupId, List<RaftPeer>> peersByGroup = Map.of();
  private volatile List<RaftPeer> metaPeers;

  /** @param metaPeers the meta group's members as known at start (the seeds, or from a join) */
  public PlacementCache(RaftNode raft, List<RaftPeer> metaPeers) {
    this.raft = raft;
    this.metaPeers = List.copyOf(metaPeers);
    this.metaStore = new MetaStore(this::metaGroup);
  }

  public void start() {
    poller.scheduleWithFixedDelay(this::poll, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  public MetaStore metaStore() {
    return metaStore;
  }

  private GroupAccess metaGroup() {
    return raft.channel(RaftGroups.META, metaPeers);
  }

  private void poll() {
    refreshQueued.set(false);
    try {
      metaStore.readMapAsApplied()
          .get(raft.config().requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .ifPresent(v -> adopt(v.map()));
    } catch (Exception e) {
      LOG.debug("placement refresh failed: {}", e.toString());
    }
  }

  /** Takes {@code map} if it is newer than the current one. */
  public synchronized void adopt(PlacementMap map) {
    PlacementMap before = current;
    if (before != null && before.epoch() >= map.epoch()) {
      return;
    }
    Map<GroupId, List<RaftPeer>> peers = new HashMap<>();
    for (GroupPlacement g : map.groups()) {
      RaftGroups.learnName(g.id()); // else this node's status would leave out a replica of it
      List<RaftPeer> now = peersOf(map, g.id());
      List<RaftPeer> previous = peersByGroup.get(g.id());
      peers.put(g.id(), previous != null && RaftGroups.samePeers(previous, now) ? previous : now);
    }
    peersByGroup = Map.copyOf(peers);
    current = map;
    List<RaftPeer> meta = peersByGroup.getOrDefault(RaftGroups.META, List.of());
    if (!meta.isEmpty()) {
      metaPeers = meta;
    }
    LOG.info("placement map epoch {} ({} ranges, {} groups, {} nodes)", map.epoch(),
        map.assignments().size(), map.groups().size(), map.nodes().size());
  }

  /** The Raft peers of a group's replicas according to {@code map}. */
  public static List<RaftPeer> peersOf(PlacementMap map, GroupId group) {
    List<RaftPeer> peers = new ArrayList<>();
    map.group(group).map(GroupPlacement::replicas).orElse(List.of()).forEach(
        id -> map.node(id).map(RaftGroups::peer).ifPresent(peers::add));
    return peers;
  }

  /** The current map, if the cluster has one yet. */
  public Optional<PlacementMap> current() {
    return Optional.ofNullable(current);
  }

  @Override
  public PlacementMap placement() {
    PlacementMap map = current;
    if (map == null) {
      refreshPlacement();
      throw new NotServingException(
          "this node has no placement map yet (the cluster is bootstrapping or the meta group is"
              + " unreachable); retry");
    }
    return map;
  }

  @Override
  public void refreshPlacement() {
    if (refreshQueued.compareAndSet(false, true)) {
      poller.execute(this::poll);
    }
  }

  @Override
  public GroupAccess group(GroupId group) {
    PlacementMap map = placement();
    List<RaftPeer> peers = peersByGroup.getOrDefault(group, List.of());
    if (peers.isEmpty()) {
      throw new NotServingException("group " + group + " has no replicas in placement epoch "
          + map.epoch() + "; retry");
    }
    return raft.channel(group, peers);
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
