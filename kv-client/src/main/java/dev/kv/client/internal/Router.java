package dev.kv.client.internal;

import dev.kv.api.placement.ClusterNode;
import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.GroupPlacement;
import dev.kv.api.placement.NodeId;
import dev.kv.api.placement.PlacementCodec;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.GetPlacementRequest;
import dev.kv.api.v1.GroupReplicas;
import dev.kv.api.v1.Placement;
import dev.kv.api.v1.ResponseHeader;
import io.grpc.Metadata;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's copy of the placement map, and where it sends each key: straight to the leader of
 * the owning group when it knows it, else to one of the group's replicas (any node forwards). The
 * map is fetched once at start, replaced by the newer map a node attaches to a routing error, and
 * leaders are learned from the map's hints and from every reply's header.
 *
 * <p>Without a map (not fetched yet, or a server too old to have one) requests go to the
 * configured endpoints with routing epoch 0, and the receiving node routes them.
 */
final class Router {
  private static final Logger log = LoggerFactory.getLogger(Router.class);

  /** The trailer of a routing error that carries the newer map (cluster.proto). */
  static final Metadata.Key<Placement> PLACEMENT_TRAILER =
      Metadata.Key.of(
          "kv-placement-bin", ProtoUtils.metadataMarshaller(Placement.getDefaultInstance()));

  /** Where one attempt goes and the epoch it claims to have routed with. */
  record Target(Endpoint endpoint, long epoch, GroupId group) {}

  private final Function<Endpoint, io.grpc.Channel> channels;
  private final Map<GroupId, NodeId> leaders = new ConcurrentHashMap<>();
  private static final long FETCH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final AtomicBoolean fetching = new AtomicBoolean();
  private volatile long lastFetchNanos = System.nanoTime() - FETCH_INTERVAL_NANOS;
  /** Set when a server does not know the Cluster service: it routes every request itself. */
  private volatile boolean serverRoutes;
  private volatile PlacementMap map;

  Router(Function<Endpoint, io.grpc.Channel> channels) {
    this.channels = channels;
  }

  /** Where to send an operation on {@code hash}, attempt {@code attempt} (0-based). */
  Optional<Target> target(long hash, int attempt) {
    PlacementMap current = map;
    if (current == null) {
      return Optional.empty();
    }
    GroupId group = current.groupFor(hash);
    List<NodeId> replicas =
        current.group(group).map(GroupPlacement::replicas).orElse(List.of());
    if (replicas.isEmpty()) {
      return Optional.empty();
    }
    NodeId leader = leaders.get(group);
    NodeId chosen;
    if (leader != null && attempt == 0) {
      chosen = leader;
    } else {
      int start = leader == null ? 0 : Math.max(0, replicas.indexOf(leader) + 1);
      chosen = replicas.get(Math.floorMod(start + attempt, replicas.size()));
    }
    return current
        .node(chosen)
        .map(ClusterNode::apiAddress)
        .map(Endpoint::parse)
        .map(e -> new Target(e, current.epoch(), group));
  }

  /** Takes a map if it is newer than the one held. */
  void adopt(Placement placement) {
    PlacementMap next;
    try {
      next = PlacementCodec.fromProto(placement);
    } catch (IllegalArgumentException e) {
      log.warn("ignoring an invalid placement map from the server: {}", e.getMessage());
      return;
    }
    synchronized (this) {
      if (map != null && map.epoch() >= next.epoch()) {
        return;
      }
      map = next;
    }
    for (GroupReplicas g : placement.getGroupsList()) {
      if (!g.getLeaderHint().isEmpty()) {
        leaders.put(new GroupId(g.getGroupId()), new NodeId(g.getLeaderHint()));
      }
    }
  }

  /** Learns the group's leader from a reply header. */
  void observe(ResponseHeader header) {
    if (!header.getLeaderHint().isEmpty() && !header.getGroupId().isEmpty()) {
      try {
        leaders.put(new GroupId(header.getGroupId()), new NodeId(header.getLeaderHint()));
      } catch (IllegalArgumentException e) {
        // a name this client version does not accept: route without the hint
      }
    }
  }

  /** The leader of {@code group} did not answer: stop preferring it. */
  void leaderFailed(GroupId group, Endpoint endpoint) {
    NodeId leader = leaders.get(group);
    PlacementMap current = map;
    if (leader != null && current != null) {
      current.node(leader)
          .filter(n -> n.apiAddress().equals(endpoint.toString()))
          .ifPresent(n -> leaders.remove(group, leader));
    }
  }

  /** Takes the newer map a routing error carries, if any; returns whether there was one. */
  boolean adoptFromTrailers(Metadata trailers) {
    if (trailers == null || !trailers.containsKey(PLACEMENT_TRAILER)) {
      return false;
    }
    adopt(trailers.get(PLACEMENT_TRAILER));
    return true;
  }

  /**
   * Fetches the map from {@code endpoint} in the background when the client has none, at most
   * once per few seconds and not while a fetch is under way.
   */
  void fetchIfMissing(Endpoint endpoint) {
    if (map != null || serverRoutes || System.nanoTime() - lastFetchNanos < FETCH_INTERVAL_NANOS
        || !fetching.compareAndSet(false, true)) {
      return;
    }
    lastFetchNanos = System.nanoTime();
    ClusterGrpc.newStub(channels.apply(endpoint))
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .getPlacement(
            GetPlacementRequest.getDefaultInstance(),
            new StreamObserver<>() {
              @Override
              public void onNext(Placement placement) {
                adopt(placement);
              }

              @Override
              public void onError(Throwable t) {
                if (io.grpc.Status.fromThrowable(t).getCode() == io.grpc.Status.Code.UNIMPLEMENTED) {
                  serverRoutes = true;
                }
                fetching.set(false);
                log.debug("fetching the placement map from {} failed: {}", endpoint, t.toString());
              }

              @Override
              public void onCompleted() {
                fetching.set(false);
              }
            });
  }
}
