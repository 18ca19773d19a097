package dev.kv.server.placement;

import dev.kv.api.placement.ClusterNode;
import dev.kv.api.placement.NodeState;
import dev.kv.api.placement.PlacementCodec;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.v1.JoinNodeRequest;
import dev.kv.server.config.NodeConfig;
import dev.kv.server.raft.Daemons;
import dev.kv.server.raft.RaftGroups;
import dev.kv.server.raft.RaftNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's place in the cluster: its placement cache, its entry in the node registry, and the
 * placement controller it runs when it leads the meta group. A seed knows the meta group from its
 * configuration; any other node joins through a member's API and learns it from the map.
 */
public final class ClusterMembership implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);

  private final PlacementCache cache;
  private final NodeChannels channels;
  private final PlacementController controller;
  private final ScheduledExecutorService registrar =
      Daemons.singleThread("kv-node-registration");

  private ClusterMembership(
      PlacementCache cache, NodeChannels channels, PlacementController controller) {
    this.cache = cache;
    this.channels = channels;
    this.controller = controller;
  }

  public static ClusterMembership start(RaftNode raft, Duration controllerRound) {
    NodeConfig config = raft.config();
    NodeChannels channels = new NodeChannels();
    ClusterNode self =
        new ClusterNode(
            config.nodeId(),
            config.advertisedApiAddress().toString(),
            config.advertisedRaftAddress().toString(),
            NodeState.ACTIVE);
    List<RaftPeer> metaPeers =
        config.isSeed() ? List.copyOf(RaftGroups.meta(config.peers()).getPeers()) : List.of();
    PlacementCache cache = new PlacementCache(raft, metaPeers);
    if (!config.isSeed()) {
      cache.adopt(join(channels, config, self));
    }
    cache.start();
    PlacementController controller =
        new PlacementController(raft, cache, channels, config.cluster(), controllerRound, System::nanoTime);
    controller.start();
    ClusterMembership membership = new ClusterMembership(cache, channels, controller);
    if (config.isSeed()) {
      membership.registerUntilDone(self, config.requestTimeout().toMillis());
    }
    return membership;
  }

  /** Registers through the members' APIs in turn, retrying until one answers. */
  private static PlacementMap join(NodeChannels channels, NodeConfig config, ClusterNode self) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    for (int attempt = 0; ; attempt++) {
      String via = config.join().get(attempt % config.join().size()).toString();
      try {
        var reply =
            channels
                .cluster(via, config.requestTimeout().toMillis())
                .joinNode(JoinNodeRequest.newBuilder().setNode(PlacementCodec.toProto(self)).build());
        LOG.info("{}: joined the cluster through {}", self.id(), via);
        return PlacementCodec.fromProto(reply.getPlacement());
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not join the cluster through " + config.join() + ": " + e, e);
        }
        LOG.info("{}: joining through {} failed ({}); retrying", self.id(), via, e.toString());
        try {
          Thread.sleep(1000); // retry pacing, not synchronisation
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while joining", ie);
        }
      }
    }
  }

  private void registerUntilDone(ClusterNode self, long timeoutMs) {
    registrar.execute(new Runnable() {
      @Override
      public void run() {
        try {
          NodeRegistration.register(cache.metaStore(), self, timeoutMs);
          LOG.info("{}: registered in the node registry", self.id());
        } catch (Exception e) {
          LOG.debug("registration failed ({}); retrying", e.toString());
          registrar.schedule(this, 500, TimeUnit.MILLISECONDS);
        }
      }
    });
  }

  public PlacementCache cache() {
    return cache;
  }

  public NodeChannels channels() {
    return channels;
  }

  @Override
  public void close() {
    registrar.shutdownNow();
    controller.close();
    cache.close();
    channels.close();
  }
}
