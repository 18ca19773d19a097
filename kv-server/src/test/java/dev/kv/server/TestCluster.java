package dev.kv.server;

import static org.awaitility.Awaitility.await;

import dev.kv.api.Limits;
import dev.kv.api.testing.LoopbackPorts;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.KVGrpc;
import dev.kv.client.KvClient;
import dev.kv.server.config.HostPort;
import dev.kv.server.config.NodeConfig;
import dev.kv.api.placement.NodeId;
import dev.kv.server.config.Peer;
import dev.kv.server.config.RaftLogSettings;
import dev.kv.server.config.RaftTiming;
import dev.kv.api.placement.GroupId;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.raft.RaftGroups;
import dev.kv.statemachine.apply.ApplyConfig;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.apache.ratis.server.RaftServer;

/**
 * A cluster of real nodes in this JVM: Ratis servers and gRPC servers on loopback ports, RocksDB
 * in a temp directory. Nodes can be stopped and restarted from their data. A cluster started
 * {@linkplain #startBehindProxies behind proxies} can also cut a running seed node off from its
 * peers and heal it.
 */
public final class TestCluster implements AutoCloseable {
  /** The only data group of a cluster started with one data group. */
  public static final GroupId DATA0 = new GroupId("data-0");
  /**
   * Where the Raft proxy of a node listens: another loopback address with the node's own port
   * (a node must listen on the port its peers know it by; the host may differ).
   */
  private static final String PROXY_HOST = "127.0.0.2";

  private final Path dir;
  private final List<Peer> seeds = new ArrayList<>();
  private final List<NodeConfig> configs = new ArrayList<>();
  private final List<KvNode> nodes = new CopyOnWriteArrayList<>();
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
  /** The Raft proxy of each seed node, when started behind proxies; else empty. */
  private final List<TcpProxy> proxies = new ArrayList<>();
  private final RaftLogSettings raftLog;
  private final ClusterSettings settings;
  public final List<String> fatalErrors = new CopyOnWriteArrayList<>();
  /** Whether nodes serve Prometheus metrics (on a free port, see KvNode.metricsPort). */
  private final boolean metrics;

  TestCluster(
      Path dir,
      int size,
      RaftLogSettings raftLog,
      ClusterSettings settings,
      boolean metrics,
      boolean proxied) {
    this.dir = dir;
    this.raftLog = raftLog;
    this.settings = settings;
    this.metrics = metrics;
    List<HostPort> listen = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      HostPort raftAddress = new HostPort("127.0.0.1", freePort());
      listen.add(raftAddress);
      HostPort known = proxied ? new HostPort(PROXY_HOST, raftAddress.port()) : raftAddress;
      seeds.add(new Peer(new NodeId("n" + (i + 1)), known));
      if (proxied) {
        proxies.add(
            new TcpProxy(
                new InetSocketAddress(known.host(), known.port()),
                new InetSocketAddress(raftAddress.host(), raftAddress.port())));
      }
    }
    for (int i = 0; i < size; i++) {
      configs.add(config(seeds.get(i).id(), listen.get(i), null));
      nodes.add(null);
    }
  }

  private NodeConfig config(NodeId id, HostPort raftAddress, HostPort join) {
    return new NodeConfig(
        id,
        raftAddress,
        new HostPort("127.0.0.1", freePort()),
        seeds,
        dir.resolve(id.value()),
        Limits.DEFAULTS,
        RaftTiming.DEFAULTS,
        Duration.ofSeconds(10),
        raftLog,
        ApplyConfig.DEFAULTS,
        settings,
        join == null ? List.of() : List.of(join),
        null,
        metrics ? new HostPort("127.0.0.1", 0) : null);
  }

  /** A cluster of {@code size} seed nodes with one data group. */
  public static TestCluster start(Path dir, int size) {
    return start(dir, size, RaftLogSettings.DEFAULTS);
  }

  static TestCluster start(Path dir, int size, RaftLogSettings raftLog) {
    return start(dir, size, raftLog, new ClusterSettings(1, 3, Duration.ofMinutes(5)));
  }

  /** A cluster of {@code size} seed nodes laid out by {@code settings}. */
  public static TestCluster start(
      Path dir, int size, RaftLogSettings raftLog, ClusterSettings settings) {
    return start(dir, size, raftLog, settings, false);
  }

  /** A cluster of {@code size} seed nodes with one data group, each serving its metrics. */
  public static TestCluster startWithMetrics(Path dir, int size) {
    return start(
        dir, size, RaftLogSettings.DEFAULTS, new ClusterSettings(1, 3, Duration.ofMinutes(5)), true);
  }

  /**
   * A cluster of {@code size} seed nodes with one data group, whose peers reach each other's Raft
   * ports through proxies, so {@link #cutOff} can isolate a running node.
   */
  static TestCluster startBehindProxies(Path dir, int size, RaftLogSettings raftLog) {
    return start(
        dir, size, raftLog, new ClusterSettings(1, 3, Duration.ofMinutes(5)), false, true);
  }

  private static TestCluster start(
      Path dir, int size, RaftLogSettings raftLog, ClusterSettings settings, boolean metrics) {
    return start(dir, size, raftLog, settings, metrics, false);
  }

  private static TestCluster start(
      Path dir,
      int size,
      RaftLogSettings raftLog,
      ClusterSettings settings,
      boolean metrics,
      boolean proxied) {
    TestCluster cluster = new TestCluster(dir, size, raftLog, settings, metrics, proxied);
    // The seeds start together, as processes of a real cluster would: each probes the others for
    // a placement map before it formats the meta group, and sequential starts wait that out.
    try {
      inParallel(size, cluster::start);
      cluster.awaitReady();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  void start(int i) {
    try {
      nodes.set(
          i, KvNode.start(configs.get(i), (what, cause) -> fatalErrors.add(what + ": " + cause)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a new (non-seed) node that joins through node 0's API; returns its index. */
  public int addNode() {
    int i = nodes.size();
    NodeId id = new NodeId("n" + (i + 1));
    configs.add(config(id, new HostPort("127.0.0.1", freePort()), configs.get(0).apiAddress()));
    nodes.add(null);
    start(i);
    return i;
  }

  void stop(int i) {
    nodes.get(i).close();
    nodes.set(i, null);
  }

  /** Stops node {@code i} without a graceful shutdown (see KvNode.crash); restart with start. */
  public void crash(int i) {
    nodes.get(i).crash();
    nodes.set(i, null);
  }

  /**
   * Waits until the leader replica {@code leader} has heard nothing from follower {@code
   * followerId} for longer than {@code silence} (its last RPC to it is that old).
   */
  public static void awaitLeaderLostTouch(
      RaftServer.Division leader, String followerId, Duration silence) {
    await().atMost(Duration.ofSeconds(30)).until(() ->
        leader.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList().stream()
            .anyMatch(f -> f.getId().getId().toStringUtf8().equals(followerId)
                && f.getLastRpcElapsedTimeMs() > silence.toMillis()));
  }

  /**
   * Cuts running node {@code i} off from its peers (see {@link TcpProxy}); clients still reach
   * its API. Only for a cluster started behind proxies.
   */
  void cutOff(int i, TcpProxy.Cut how) {
    proxies.get(i).cutOff(how);
  }

  /** Lets node {@code i}'s peers reach it again. */
  void heal(int i) {
    proxies.get(i).heal();
  }

  boolean isRunning(int i) {
    return nodes.get(i) != null;
  }

  public KvNode node(int i) {
    return nodes.get(i);
  }

  int size() {
    return nodes.size();
  }

  String endpoint(int i) {
    return configs.get(i).apiAddress().toString();
  }

  List<String> endpoints() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      all.add(endpoint(i));
    }
    return all;
  }

  NodeConfig config(int i) {
    return configs.get(i);
  }

  /** The running node that leads {@code group}, if one does right now. */
  Optional<Integer> leaderOf(GroupId group) {
    for (int i = 0; i < nodes.size(); i++) {
      KvNode node = nodes.get(i);
      if (node != null
          && node.raft().replica(group).map(d -> d.getInfo().isLeaderReady()).orElse(false)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** The leader of data-0 (the only data group unless the cluster was started with more). */
  public int awaitLeader() {
    return awaitLeader(DATA0);
  }

  /**
   * A node that leads {@code group}, once the running nodes serve (see {@link #awaitReady}): a
   * restarted node refuses requests until it has a placement map, and the controller moves
   * leaderships until they are balanced.
   */
  public int awaitLeader(GroupId group) {
    awaitReady();
    return await("a leader of " + group)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> leaderOf(group), Optional::isPresent)
        .orElseThrow();
  }

  /**
   * Waits until the cluster serves and the placement controller is done with it: every running
   * node has a placement map, every data group has a leader that owns the ranges the map gives
   * it, and leaders are balanced.
   */
  public void awaitReady() {
    await("the cluster to be bootstrapped and serving")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(this::isReady);
  }

  private boolean isReady() {
    var map = nodes.stream().filter(n -> n != null).findFirst()
        .flatMap(n -> n.membership().cache().current());
    if (map.isEmpty()) {
      return false;
    }
    for (KvNode node : nodes) {
      if (node != null && node.membership().cache().current().isEmpty()) {
        return false;
      }
    }
    java.util.Map<Integer, Integer> leads = new java.util.HashMap<>();
    for (var group : map.get().groups()) {
      Optional<Integer> leader = leaderOf(group.id());
      if (leader.isEmpty()) {
        return false;
      }
      leads.merge(leader.get(), 1, Integer::sum);
      if (group.id().equals(RaftGroups.META)) {
        continue;
      }
      var sm = (dev.kv.statemachine.ratis.KvStateMachine)
          nodes.get(leader.get()).raft().replica(group.id()).orElseThrow().getStateMachine();
      var owned = sm.replicaState().map(s -> s.ownership().getRangesCount()).orElse(0);
      if (owned != map.get().rangesOf(group.id()).size()) {
        return false;
      }
    }
    // The controller balances leaders (no node leads more than its share); until it has, it
    // moves leaderships, and a raw stub in a test would see the brief refusals that causes.
    long running = nodes.stream().filter(n -> n != null).count();
    long fairShare = (map.get().groups().size() + running - 1) / running;
    return leads.values().stream().allMatch(count -> count <= fairShare);
  }

  int aFollower() {
    int leader = awaitLeader();
    for (int i = 0; i < nodes.size(); i++) {
      if (i != leader && nodes.get(i) != null) {
        return i;
      }
    }
    throw new IllegalStateException("no running follower");
  }

  public KvClient client() {
    return client(endpoints());
  }

  KvClient client(List<String> endpoints) {
    return KvClient.builder().endpoints(endpoints).timeout(Duration.ofSeconds(30)).build();
  }

  /** Closes {@code channel} with the cluster. */
  void track(ManagedChannel channel) {
    channels.add(channel);
  }

  /** A raw stub to one node, bypassing the SDK's own validation and retries. */
  public KVGrpc.KVBlockingStub stub(int i) {
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget(endpoint(i))
            .usePlaintext()
            .maxInboundMessageSize(8 << 20)
            .build();
    channels.add(channel);
    return KVGrpc.newBlockingStub(channel);
  }

  /** A raw stub of node {@code i}'s Cluster service (admin and status calls). */
  public ClusterGrpc.ClusterBlockingStub clusterStub(int i) {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(endpoint(i)).usePlaintext().build();
    channels.add(channel);
    return ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
    // Teardown crashes the nodes, all at once: with every node stopping there is nobody to hand
    // leaderships to. Tests of the graceful stop call stop(i).
    inParallel(nodes.size(), i -> {
      if (nodes.get(i) != null) {
        nodes.get(i).crash();
        nodes.set(i, null);
      }
    });
    proxies.forEach(TcpProxy::close);
  }

  /** Runs {@code action} for 0..n-1 on n threads; rethrows the first failure once all ended. */
  private static void inParallel(int n, IntConsumer action) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, n));
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        runs.add(pool.submit(() -> action.accept(index)));
      }
      RuntimeException failure = null;
      for (Future<?> run : runs) {
        try {
          run.get();
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException r ? r
                : new IllegalStateException(e.getCause());
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  static int freePort() {
    return LoopbackPorts.free();
  }
}
