package dev.kv.server.raft;

import dev.kv.api.placement.GroupId;
import dev.kv.server.config.NodeConfig;
import dev.kv.statemachine.apply.OwnedRanges;
import dev.kv.statemachine.ratis.FatalErrorHandler;
import dev.kv.statemachine.ratis.KvStateMachine;
import dev.kv.statemachine.storage.RocksDbResources;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's Raft side: one Ratis server hosting a replica of every group placed here (each a
 * {@link KvStateMachine} with its own RocksDB, all sharing one block cache and write-buffer
 * budget), and a {@link GroupChannel} per group this node talks to.
 *
 * <p>A seed node formats the meta group with the seed peers on its first start, unless the
 * cluster already exists (MetaGroupProbe: its disk was wiped); later starts recover
 * every group found in the data directory (Ratis re-adds each group directory), and the
 * membership recorded in each log takes precedence over any configured one. Data group replicas
 * are created only by the placement controller, through Ratis' group management API.
 */
public final class RaftNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
  private static final long HANDOFF_TIMEOUT_MS = 5_000;

  /**
   * Group commit and queue bounds, per group (see WriteBatcher). With one entry in flight the
   * next batch fills for a whole Raft round: at 64 clients on 2 cores that measured 6.2-6.7k
   * writes/s against 5.7-5.9k with two in flight, and a lower p99, because per-entry RPC costs
   * are paid less often. 256 writes per entry amortise a round without huge entries.
   */
  record Bounds(
      int maxBatchCommands, int maxBatchesInFlight, int maxQueuedWrites, int maxWaitingReads) {
    static final Bounds DEFAULTS = new Bounds(256, 1, 10_000, 10_000);
  }

  private final NodeConfig config;
  private final RocksDbResources resources;
  private final RaftServer server;
  private final Map<GroupId, GroupChannel> channels = new ConcurrentHashMap<>();
  /** Closes replaced channels once the requests they carried have had time to finish. */
  private final ScheduledExecutorService retirer =
      Daemons.singleThread("kv-channel-retirer");
  private final RatisWorkarounds workarounds = new RatisWorkarounds();
  private final RaftAdmin admin;
  private final StuckFollowerRepair stuckFollowers;
  private final ReadIndex readIndex;
  private final PeerTerms peerTerms;
  private volatile boolean stopping;

  private RaftNode(
      NodeConfig config, RocksDbResources resources, RaftServer server, PeerTerms peerTerms) {
    this.config = config;
    this.resources = resources;
    this.server = server;
    this.peerTerms = peerTerms;
    this.readIndex = new ReadIndex(peerTerms);
    this.admin = new RaftAdmin(config, workarounds);
    this.stuckFollowers = new StuckFollowerRepair(server, group -> RaftAdmin.client(config, group),
        workarounds.stuckFollowerStepDowns());
    stuckFollowers.start();
  }

  /**
   * @param formatMeta whether this node creates its meta replica from the seed list when it has
   *     none on disk (a seed of a new cluster); a replica on disk is recovered either way
   */
  public static RaftNode start(NodeConfig config, FatalErrorHandler fatal, boolean formatMeta)
      throws IOException {
    // RocksDB statistics cost CPU on every operation: kept only when someone can scrape them.
    RocksDbResources resources =
        RocksDbResources.defaults(config.metricsAddress() != null);
    RaftPeerId self = RaftGroups.peerId(config.nodeId());
    RaftGroupId metaId = RaftGroups.idOf(RaftGroups.META);
    RaftServer server;
    AtomicReference<RaftServer> started = new AtomicReference<>();
    Parameters parameters = new Parameters();
    GrpcConfigKeys.Server.setServicesCustomizer(
        parameters, RaftTermService.customizer(started::get));
    try {
      var builder =
          RaftServer.newBuilder()
              .setServerId(self)
              .setOption(RaftStorage.StartupOption.RECOVER)
              .setProperties(RaftPropertiesMapper.serverProperties(config))
              .setParameters(parameters)
              .setStateMachineRegistry(
                  groupId ->
                      new KvStateMachine(
                          resources,
                          config.apply(),
                          fatal,
                          groupId.equals(metaId) ? OwnedRanges.WHOLE_RING : OwnedRanges.NOTHING));
      if (formatMeta) {
        builder.setGroup(RaftGroups.meta(config.peers()));
      }
      server = builder.build();
      server.start();
      started.set(server);
    } catch (IOException | RuntimeException e) {
      resources.close();
      throw e;
    }
    LOG.info("{}: Raft server listening on {}", self, config.raftAddress());
    return new RaftNode(
        config, resources, server, new PeerTerms(config.raft().electionTimeoutMin().toMillis()));
  }

  public RaftServer server() {
    return server;
  }

  /** Administrative Raft operations (replicas, membership, leadership) from this node. */
  public RaftAdmin admin() {
    return admin;
  }

  /** How often this node's Ratis workarounds acted; for its metrics. */
  public RatisWorkarounds workarounds() {
    return workarounds;
  }

  public NodeConfig config() {
    return config;
  }

  /** The RocksDB statistics all of this node's replicas add to, when they are collected. */
  public Optional<org.rocksdb.Statistics> rocksDbStatistics() {
    return resources.statistics();
  }

  /**
   * This node's channel into {@code group}, whose voting replicas are {@code peers}. When the
   * replicas changed since the channel was made, a new one replaces it; the old one is closed
   * after the request timeout, so requests it carries finish.
   */
  public GroupChannel channel(GroupId group, List<RaftPeer> peers) {
    GroupChannel current = channels.get(group);
    // The placement cache hands out one list per group per replica set: identity is the fast path.
    if (current != null && current.peers() == peers) {
      return current;
    }
    synchronized (channels) {
      current = channels.get(group);
      if (current != null && RaftGroups.samePeers(current.peers(), peers)) {
        return current;
      }
      GroupChannel fresh =
          new GroupChannel(
              config, server, group, peers, readIndex, workarounds.readIndexFallbacks(),
              Bounds.DEFAULTS);
      if (stopping) {
        fresh.stopAccepting();
      }
      channels.put(group, fresh);
      if (current != null) {
        GroupChannel old = current;
        retirer.schedule(old::close, config.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
      }
      return fresh;
    }
  }

  /** The replicas this node hosts right now. */
  public List<RaftServer.Division> replicas() {
    List<RaftServer.Division> divisions = new ArrayList<>();
    for (RaftGroupId id : server.getGroupIds()) {
      try {
        divisions.add(server.getDivision(id));
      } catch (IOException e) {
        // removed meanwhile
      }
    }
    return divisions;
  }

  /** This node's replica of {@code group}, if it hosts one. */
  public Optional<RaftServer.Division> replica(GroupId group) {
    try {
      return Optional.of(server.getDivision(RaftGroups.idOf(group)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** New requests are refused with UNAVAILABLE; requests in flight complete. */
  public void stopAccepting() {
    stopping = true;
    channels.values().forEach(GroupChannel::stopAccepting);
  }

  /**
   * Moves the leadership of every group this node leads to another replica. Returns the groups
   * handed off and the replica that took each.
   */
  public Map<RaftGroupId, RaftPeerId> handOffLeadership() {
    Map<RaftGroupId, RaftPeerId> handed = new java.util.HashMap<>();
    for (RaftServer.Division division : replicas()) {
      if (division.getInfo().isLeader()) {
        RaftGroup group = division.getGroup();
        try (var client = RaftAdmin.client(config, group)) {
          LeadershipHandoff.handOff(server, group.getGroupId(), client, HANDOFF_TIMEOUT_MS,
                  config.raft().electionTimeoutMin())
              .ifPresent(target -> handed.put(group.getGroupId(), target));
        } catch (IOException e) {
          LOG.warn("{}: closing the handoff client failed", group.getGroupId(), e);
        }
      }
    }
    return handed;
  }

  @Override
  public void close() {
    stuckFollowers.close(); // it must not step down while leaderships are handed off
    handOffLeadership();
    closeWithoutHandoff();
  }

  /** Closes at once, leaving the groups this node leads to elect a new leader. */
  public void closeWithoutHandoff() {
    stuckFollowers.close();
    retirer.shutdownNow();
    channels.values().forEach(GroupChannel::close);
    peerTerms.close();
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("closing the Raft server failed", e);
    }
    resources.close();
  }
}
