package dev.kv.chaos.cluster;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Network.Ipam;
import dev.kv.api.v1.Consistency;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.FrameConsumerResultCallback;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * A sharded kvd cluster in containers on its own Docker network, for the chaos suite: seed nodes
 * (the meta group's first members) plus nodes that join later, each hosting replicas of several
 * data groups. Owns the network, the containers and the host folders bound into them; {@link
 * #close} removes every container and the network (the suite runs without Ryuk, so nothing else
 * would).
 *
 * <p>Readiness is a condition read from the nodes' Cluster service ({@link #awaitReady}), never a
 * fixed wait: every group has a leader with the map's replicas, every node has the map, and every
 * node serves a linearizable read in every data group.
 *
 * <p>Each node gets a fixed address on a /24 the cluster picks among the free ones, so a node
 * killed and started again keeps its address: its peers, the clients and the partition rules
 * stay valid. Clients on the host reach every node directly at that address; partitions cut only
 * node-to-node traffic (see {@code Partitions}), as in Jepsen, where clients reach every node.
 *
 * <p>Containers and networks carry the owning JVM's pid as a label, so a later run can remove
 * what a run that died without cleaning up left behind ({@link OrphanSweeper}).
 */
public final class ChaosCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChaosCluster.class);

  /** Label carrying the pid of the JVM that owns a container or network. */
  public static final String OWNER_LABEL = "dev.kv.chaos.owner-pid";

  private static final String PROBE_PREFIX = "__chaos_probe__";

  /** Replicas per group (kvd --replication). */
  public static final int REPLICATION = 3;

  private final NodeImage image;
  private final Options options;
  private final Network network;
  private final Subnet subnet;
  private final Path runDir;
  private final String peers;
  private final String pid;
  private final List<ClusterNode> seeds;
  /** Every node ever started, seeds first, in the order they joined: for logs and cleanup. */
  private final List<ClusterNode> everyNode = new CopyOnWriteArrayList<>();
  /** The nodes that are members now: seeds and joined nodes, less the drained and removed. */
  private final List<ClusterNode> members = new CopyOnWriteArrayList<>();
  private final DockerClient docker;
  private final ClusterAdmin admin = new ClusterAdmin();
  /** Each node's current container; the clock fault replaces a node's container. */
  private final Map<String, GenericContainer<?>> containers = new ConcurrentHashMap<>();
  /** The libfaketime offset each node's current container runs with, when it has one. */
  private final Map<String, String> clockOffsets = new ConcurrentHashMap<>();
  /** What each node's replaced containers printed, for its log. */
  private final Map<String, String> earlierLogs = new ConcurrentHashMap<>();

  /**
   * How to run the cluster.
   *
   * @param nodes how many seed nodes (3 for every suite scenario; more may join later)
   * @param dataGroups kvd --data-groups: few, so that 2 cores carry every replica's threads
   * @param snapshotEvery kvd --snapshot-every: small values make a lagging node need a snapshot
   * @param logSegmentBytes kvd --log-segment-bytes: small segments get closed and purged soon
   * @param nodeEnv extra environment of every node (for example a bug switch)
   * @param startupTimeout how long a node may take to start serving (generous: 2 cores, shared)
   */
  public record Options(
      int nodes,
      int dataGroups,
      long snapshotEvery,
      long logSegmentBytes,
      Map<String, String> nodeEnv,
      Duration startupTimeout) {
    public static final Options DEFAULTS =
        new Options(3, 4, 10_000, 8L << 20, Map.of(), Duration.ofMinutes(3));

    public Options {
      nodeEnv = Map.copyOf(nodeEnv);
      if (nodes < 1 || dataGroups < 1) {
        throw new IllegalArgumentException(
            "nodes is " + nodes + " and dataGroups " + dataGroups + "; both must be >= 1");
      }
    }

    public Options withSnapshots(long every, long segmentBytes) {
      return new Options(nodes, dataGroups, every, segmentBytes, nodeEnv, startupTimeout);
    }

    public Options withNodeEnv(Map<String, String> env) {
      return new Options(nodes, dataGroups, snapshotEvery, logSegmentBytes, env, startupTimeout);
    }
  }

  private ChaosCluster(NodeImage image, Options options, Network network, Subnet subnet,
      Path runDir, String peers, String pid, List<ClusterNode> seeds, DockerClient docker) {
    this.image = image;
    this.options = options;
    this.network = network;
    this.subnet = subnet;
    this.runDir = runDir;
    this.peers = peers;
    this.pid = pid;
    this.seeds = List.copyOf(seeds);
    this.docker = docker;
    everyNode.addAll(seeds);
  }

  /**
   * Starts the seed nodes and waits until the cluster is ready (see {@link #awaitReady}).
   *
   * @param runDir host folder for the nodes' data and logs; emptied first, since a node must
   *     start from an empty data directory
   */
  public static ChaosCluster start(NodeImage image, Path runDir, Options options)
      throws IOException {
    DockerClient docker = DockerClientFactory.instance().client();
    OrphanSweeper.sweep(docker);
    NodeImage.deleteRecursively(runDir);
    String pid = Long.toString(ProcessHandle.current().pid());
    Subnet subnet = Subnet.pickFree(docker);
    Network network =
        Network.builder()
            .createNetworkCmdModifier(
                cmd ->
                    cmd.withIpam(new Ipam().withConfig(new Ipam.Config()
                            .withSubnet(subnet.cidr()).withGateway(subnet.host(1))))
                        .withLabels(new HashMap<>(Map.of(OWNER_LABEL, pid))))
            .build();
    ChaosCluster cluster = null;
    try {
      network.getId(); // creates it now, so a subnet clash shows here
      String peers =
          java.util.stream.IntStream.rangeClosed(1, options.nodes())
              .mapToObj(i -> "n" + i + "=" + subnet.host(10 + i) + ":" + ClusterNode.RAFT_PORT)
              .collect(Collectors.joining(","));
      List<ClusterNode> nodes = new ArrayList<>();
      for (int i = 1; i <= options.nodes(); i++) {
        nodes.add(newNode(runDir, subnet, i));
      }
      cluster = new ChaosCluster(image, options, network, subnet, runDir, peers, pid, nodes,
          docker);
      for (ClusterNode node : nodes) {
        cluster.startContainer(node, null); // waits for kvd's "serving" line
        cluster.members.add(node);
      }
      ClusterView view = cluster.awaitReady(options.startupTimeout());
      LOG.info("cluster up on {}: {}; groups {}", subnet.cidr(), nodes, view.groups());
      return cluster;
    } catch (IOException | RuntimeException | Error e) {
      if (cluster != null) {
        cluster.saveLogs(runDir.resolve("logs"));
        LOG.error("the cluster did not start; node logs are in {}", runDir.resolve("logs"));
        cluster.close();
      } else {
        network.close();
      }
      throw e;
    }
  }

  /** Node number {@code i}: id n{@code i}, address .{@code 10+i} of the subnet, its data dir. */
  private static ClusterNode newNode(Path runDir, Subnet subnet, int i) throws IOException {
    String id = "n" + i;
    return new ClusterNode(id, subnet.host(10 + i),
        Files.createDirectories(runDir.resolve(id).resolve("data")));
  }

  /**
   * Starts a new node that joins the cluster through the current members (kvd --join, with
   * --advertise-host set to its address, since it listens on 0.0.0.0), waits for kvd's "serving"
   * line and makes it a member. The placement controller then moves replicas to it.
   */
  public synchronized ClusterNode join() throws IOException {
    ClusterNode node = newNode(runDir, subnet, everyNode.size() + 1);
    everyNode.add(node);
    startContainer(node, null);
    members.add(node);
    LOG.info("{} joined; members {}", node, members);
    return node;
  }

  /**
   * Stops a node that was drained and removed from the cluster (SIGTERM) and forgets it as a
   * member; its container and log stay until {@link #close}.
   */
  public synchronized void retire(ClusterNode node) {
    stopGracefully(node);
    members.remove(node);
    LOG.info("{} retired; members {}", node, members);
  }

  /**
   * Creates and starts a container for the node, on its address with its data dir, and waits for
   * kvd's "serving" line.
   *
   * @param clockOffset a libfaketime offset such as "+2h" for the node's clocks, or null
   */
  private void startContainer(ClusterNode node, String clockOffset) {
    List<String> command =
        new ArrayList<>(NodeImage.javaCommand(List.of(
            "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Djava.io.tmpdir=/tmp")));
    command.addAll(List.of(
        "--node-id", node.id(),
        "--raft-address", node.ip() + ":" + ClusterNode.RAFT_PORT,
        "--api-address", "0.0.0.0:" + ClusterNode.API_PORT,
        "--peers", peers,
        "--data-groups", Integer.toString(options.dataGroups()),
        "--replication", Integer.toString(REPLICATION),
        "--data-dir", "/data",
        "--snapshot-every", Long.toString(options.snapshotEvery()),
        "--log-segment-bytes", Long.toString(options.logSegmentBytes())));
    if (!seeds.contains(node)) {
      // A node that is not a seed joins through the members (on a restart it rejoins from its
      // data dir) and must say which address others reach it by.
      command.addAll(List.of(
          "--join", members.stream().filter(m -> !m.equals(node)).map(ClusterNode::apiEndpoint)
              .collect(Collectors.joining(",")),
          "--advertise-host", node.ip()));
    }
    GenericContainer<?> container =
        new GenericContainer<>(image.name())
            .withNetwork(network)
            .withNetworkAliases(node.id())
            .withCreateContainerCmdModifier(
                cmd -> cmd.withIpv4Address(node.ip())
                    .withName("kv-chaos-" + pid + "-" + node.id() + "-"
                        + Long.toHexString(System.nanoTime() & 0xffffff))
                    .withHostName(node.id())
                    .withLabels(new HashMap<>(Map.of(OWNER_LABEL, pid))))
            .withCommand(command.toArray(String[]::new))
            .withFileSystemBind(node.dataDir().toString(), "/data")
            // Ratis logs role changes and membership changes at INFO, which kvd's logback.xml
            // keeps at WARN: the node logs of a report should show them.
            .withEnv("KV_RATIS_LOG_LEVEL", "INFO")
            .withEnv(options.nodeEnv())
            .waitingFor(Wait.forLogMessage(".*kvd " + node.id() + " serving on.*\\n", 1)
                .withStartupTimeout(options.startupTimeout()));
    if (clockOffset != null) {
      // A fixed offset for the life of the process, on every clock: libfaketime with the
      // monotonic clock left alone (FAKETIME_DONT_FAKE_MONOTONIC) or with an offset file made
      // an idle JVM spin at 65 % of a core; a constant offset on all clocks costs nothing, and
      // the JVM only ever takes differences of the monotonic clock.
      container
          .withEnv("LD_PRELOAD", NodeImage.FAKETIME_IN_IMAGE)
          .withEnv("FAKETIME", clockOffset)
          .withEnv("FAKETIME_FORCE_MONOTONIC_FIX", "1");
    }
    containers.put(node.id(), container);
    if (clockOffset == null) {
      clockOffsets.remove(node.id());
    } else {
      clockOffsets.put(node.id(), clockOffset);
    }
    container.start();
  }

  /**
   * Replaces the node's process with one whose clocks are shifted by {@code offset} (a libfaketime
   * offset such as "+2h" or "-30m"), or with a true clock when {@code offset} is null: kill -9,
   * a new container with the same address and data dir, and a wait for kvd's "serving" line.
   */
  public void restartWithClockOffset(ClusterNode node, String offset) {
    if (offset != null && !image.hasFaketime()) {
      throw new IllegalStateException("the node image has no libfaketime: install it"
          + " (.ci/install-docker does) and build the image again");
    }
    kill(node);
    earlierLogs.merge(node.id(), logs(node), String::concat);
    removeContainer(node);
    startContainer(node, offset);
  }

  /** The clock offset the node runs with, if any. */
  public Optional<String> clockOffset(ClusterNode node) {
    return Optional.ofNullable(clockOffsets.get(node.id()));
  }

  private String containerId(ClusterNode node) {
    return containers.get(node.id()).getContainerId();
  }

  /** The members now, seeds first: what faults target and clients reach. */
  public List<ClusterNode> nodes() {
    return List.copyOf(members);
  }

  /** Whether {@code node} is still one of the {@link #nodes}. */
  public boolean isMember(ClusterNode node) {
    return members.contains(node);
  }

  /** A node by id, among every node this cluster ever started. */
  public ClusterNode node(String id) {
    return everyNode.stream().filter(n -> n.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node " + id + " in " + everyNode));
  }

  /** The host's address on the cluster network (its gateway), where host-side proxies listen. */
  public String hostAddress() {
    return subnet.host(1);
  }

  /** Every node's Cluster service. */
  public ClusterAdmin admin() {
    return admin;
  }

  public Options options() {
    return options;
  }

  /** Every member's API endpoint, in node order. */
  public List<String> apiEndpoints() {
    return nodes().stream().map(ClusterNode::apiEndpoint).toList();
  }

  /** kill -9 of the node's kvd (the container's only process); its data dir stays. */
  public void kill(ClusterNode node) {
    stop(node, () -> docker.killContainerCmd(containerId(node)).withSignal("KILL").exec());
  }

  /** SIGTERM, so kvd stops gracefully (hands off leadership); SIGKILL after 30 s. */
  public void stopGracefully(ClusterNode node) {
    stop(node, () -> docker.stopContainerCmd(containerId(node)).withTimeout(30).exec());
  }

  private void stop(ClusterNode node, Runnable signal) {
    unpause(node); // a frozen process cannot take a signal
    if (isRunning(node)) {
      signal.run();
    }
    Awaitility.await("container of " + node + " to stop").atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(100)).until(() -> !isRunning(node));
  }

  /** Starts a stopped node again (same container, address and data) without waiting for it. */
  public void startAgain(ClusterNode node) {
    if (!isRunning(node)) {
      docker.startContainerCmd(containerId(node)).exec();
    }
  }

  /**
   * SIGQUIT to the node's JVM, which prints a thread dump to its output (so into its log) and
   * goes on running: evidence for a report when a node is stuck.
   */
  public void threadDump(ClusterNode node) {
    if (isRunning(node) && !isPaused(node)) {
      docker.killContainerCmd(containerId(node)).withSignal("QUIT").exec();
    }
  }

  /** SIGSTOP of every process of the node (cgroup freezer). */
  public void pause(ClusterNode node) {
    docker.pauseContainerCmd(containerId(node)).exec();
  }

  public void unpause(ClusterNode node) {
    if (isPaused(node)) {
      docker.unpauseContainerCmd(containerId(node)).exec();
    }
  }

  public boolean isRunning(ClusterNode node) {
    InspectContainerResponse.ContainerState state = state(node);
    return Boolean.TRUE.equals(state.getRunning());
  }

  public boolean isPaused(ClusterNode node) {
    return Boolean.TRUE.equals(state(node).getPaused());
  }

  private InspectContainerResponse.ContainerState state(ClusterNode node) {
    return docker.inspectContainerCmd(containerId(node)).exec().getState();
  }

  /** Waits until the node's own API answers (a serializable read: no quorum needed). */
  public void awaitApiUp(ClusterNode node, Duration timeout) {
    Awaitility.await(node + " to serve its API").atMost(timeout)
        .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> {
          admin.readAt(node, PROBE_PREFIX, Consistency.SERIALIZABLE, Duration.ofSeconds(5));
          return true;
        });
  }

  /**
   * The cluster's status as the first member that answers gathers it.
   *
   * @throws IllegalStateException when no member answers
   */
  public ClusterView view() {
    List<String> errors = new ArrayList<>();
    for (ClusterNode node : members) {
      if (!isRunning(node) || isPaused(node)) {
        continue;
      }
      try {
        return admin.status(node);
      } catch (RuntimeException e) {
        errors.add(node.id() + ": " + e.getMessage());
      }
    }
    throw new IllegalStateException("no member answered the status call: " + errors);
  }

  /**
   * Waits until the cluster is whole and done moving things: every member answers and has a
   * placement map of the same epoch, the map lists exactly the members, every group has a leader
   * with the map's replicas as voters, every data group's leader owns its ranges, and then every
   * member serves a linearizable read in every data group (which needs a leader and a quorum
   * reachable from it, and the node's own replica, where it has one, applied up to the read
   * index). Returns the status it found settled.
   */
  public ClusterView awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String[] lastReason = {"no status yet"};
    ClusterView view;
    try {
      view = Awaitility.await("the cluster to be ready").atMost(timeout)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> readyView(lastReason), Optional::isPresent).orElseThrow();
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new IllegalStateException("the cluster was not ready within " + timeout.toSeconds()
          + " s: " + lastReason[0], e);
    }
    Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0))
        .plusSeconds(10);
    Map<String, String> probes = probeKeys(view);
    for (ClusterNode node : members) {
      String[] failing = {"no read yet"};
      try {
        Awaitility.await(node + " to serve linearizable reads in every group").atMost(left)
            .pollInterval(Duration.ofMillis(250))
            .until(() -> {
              for (Map.Entry<String, String> probe : probes.entrySet()) {
                try {
                  admin.readAt(node, probe.getValue(), Consistency.LINEARIZABLE,
                      Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                  failing[0] = probe.getKey() + ": " + e.getMessage();
                  return false;
                }
              }
              return true;
            });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        threadDump(node);
        throw new IllegalStateException(node + " served no linearizable read in every data group"
            + " within " + left.toSeconds() + " s (last: " + failing[0] + "); its thread dump is"
            + " in its log", e);
      }
    }
    return view;
  }

  /** The settled status, or empty with the reason why not in {@code reason[0]}. */
  private Optional<ClusterView> readyView(String[] reason) {
    ClusterView view;
    try {
      view = view();
    } catch (RuntimeException e) {
      reason[0] = e.getMessage();
      return Optional.empty();
    }
    List<String> memberIds = members.stream().map(ClusterNode::id).sorted().toList();
    if (!view.nodesInMap().stream().sorted().toList().equals(memberIds)) {
      reason[0] = "the map lists nodes " + view.nodesInMap() + ", the members are " + memberIds;
      return Optional.empty();
    }
    if (!view.unreachable().isEmpty()) {
      reason[0] = "unreachable: " + view.unreachable();
      return Optional.empty();
    }
    Optional<String> unsettled = view.unsettled();
    if (unsettled.isPresent()) {
      reason[0] = unsettled.get();
      return Optional.empty();
    }
    for (ClusterNode node : members) {
      try {
        long epoch = admin.placement(node).getEpoch();
        if (epoch != view.epoch()) {
          reason[0] = node.id() + " has placement epoch " + epoch + ", not " + view.epoch();
          return Optional.empty();
        }
      } catch (RuntimeException e) {
        reason[0] = node.id() + " has no placement map: " + e.getMessage();
        return Optional.empty();
      }
    }
    return Optional.of(view);
  }

  /** One probe key per data group (group -> key), found by hashing candidate names. */
  static Map<String, String> probeKeys(ClusterView view) {
    Map<String, String> keys = new java.util.TreeMap<>();
    for (int i = 0; keys.size() < view.dataGroups().size(); i++) {
      if (i > 100_000) {
        throw new IllegalStateException("no probe key found for some of " + view.dataGroups());
      }
      String key = PROBE_PREFIX + i;
      keys.putIfAbsent(view.groupOf(key), key);
    }
    return keys;
  }

  /**
   * The status once it names a leader of every data group: where the leader faults find their
   * targets ({@link ClusterView#busiestLeader}, {@link ClusterView#leaderOf}).
   */
  public ClusterView awaitLeaders(Duration timeout) {
    return Awaitility.await("a leader of every data group").atMost(timeout)
        .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(this::view, v -> v.dataGroups().stream().allMatch(g -> v.leaderOf(g).isPresent()));
  }

  /** The id the next node to {@link #join} will get. */
  public synchronized String nextNodeId() {
    return "n" + (everyNode.size() + 1);
  }

  private void removeContainer(ClusterNode node) {
    GenericContainer<?> container = containers.get(node.id());
    if (container == null || container.getContainerId() == null) {
      return;
    }
    try {
      unpause(node); // a frozen container cannot be stopped
    } catch (RuntimeException e) {
      LOG.debug("unpause of {} before removal failed: {}", node, e.toString());
    }
    try {
      container.stop(); // stops and removes it, with its anonymous volumes
    } catch (RuntimeException e) {
      LOG.warn("could not remove the container of {}: {}", node, e.toString());
      try {
        docker.removeContainerCmd(container.getContainerId()).withForce(true).exec();
      } catch (RuntimeException again) {
        LOG.warn("forced removal of {} failed too: {}", node, again.toString());
      }
    }
  }

  /** Everything the node's kvd printed, across restarts and replaced containers. */
  public String logs(ClusterNode node) {
    return earlierLogs.getOrDefault(node.id(), "") + currentLogs(node);
  }

  private String currentLogs(ClusterNode node) {
    ToStringConsumer consumer = new ToStringConsumer();
    try (FrameConsumerResultCallback callback = new FrameConsumerResultCallback()) {
      callback.addConsumer(OutputFrame.OutputType.STDOUT, consumer);
      callback.addConsumer(OutputFrame.OutputType.STDERR, consumer);
      docker.logContainerCmd(containerId(node)).withStdOut(true).withStdErr(true)
          .withFollowStream(false).exec(callback);
      callback.awaitCompletion(30, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return "(logs of " + node + " unavailable: " + e + ")";
    }
    return consumer.toUtf8String();
  }

  /** Writes every node's log to {@code dir/<id>.log}. */
  public void saveLogs(Path dir) {
    for (ClusterNode node : everyNode) {
      try {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(node.id() + ".log"), logs(node));
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not save the log of {}: {}", node, e.toString());
      }
    }
  }

  /** Removes every container and the network; safe to call twice, never throws. */
  @Override
  public void close() {
    admin.close();
    for (ClusterNode node : everyNode) {
      removeContainer(node);
    }
    try {
      network.close();
    } catch (RuntimeException e) {
      LOG.warn("could not remove the network: {}", e.toString());
    }
  }
}
