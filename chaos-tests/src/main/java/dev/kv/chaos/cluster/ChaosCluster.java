package dev.kv.chaos.cluster;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Network.Ipam;
import dev.kv.client.KvClient;
import dev.kv.client.ReadConsistency;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * A kvd cluster in containers on its own Docker network, for the chaos suite. Owns the network,
 * the containers and the host folders bound into them; {@link #close} removes every container
 * and the network (the suite runs without Ryuk, so nothing else would).
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

  private static final String PROBE_KEY = "__chaos_probe__";
  private static final Pattern ROLE_CHANGE =
      Pattern.compile("changes role from\\s+\\w+ to (\\w+) at term (\\d+)");

  private final NodeImage image;
  private final Options options;
  private final Network network;
  private final String peers;
  private final String pid;
  private final String hostAddress;
  private final List<ClusterNode> nodes;
  private final DockerClient docker;
  /** Each node's current container; the clock fault replaces a node's container. */
  private final Map<String, GenericContainer<?>> containers = new ConcurrentHashMap<>();
  /** The libfaketime offset each node's current container runs with, when it has one. */
  private final Map<String, String> clockOffsets = new ConcurrentHashMap<>();
  /** What each node's replaced containers printed, for its log. */
  private final Map<String, String> earlierLogs = new ConcurrentHashMap<>();

  /**
   * How to run the cluster.
   *
   * @param nodes how many nodes (3 for every suite scenario)
   * @param snapshotEvery kvd --snapshot-every: small values make a lagging node need a snapshot
   * @param logSegmentBytes kvd --log-segment-bytes: small segments get closed and purged soon
   * @param nodeEnv extra environment of every node (for example a bug switch)
   * @param startupTimeout how long a node may take to start serving (generous: 2 cores, shared)
   */
  public record Options(
      int nodes,
      long snapshotEvery,
      long logSegmentBytes,
      Map<String, String> nodeEnv,
      Duration startupTimeout) {
    public static final Options DEFAULTS =
        new Options(3, 10_000, 8L << 20, Map.of(), Duration.ofMinutes(3));

    public Options {
      nodeEnv = Map.copyOf(nodeEnv);
    }

    public Options withSnapshots(long every, long segmentBytes) {
      return new Options(nodes, every, segmentBytes, nodeEnv, startupTimeout);
    }

    public Options withNodeEnv(Map<String, String> env) {
      return new Options(nodes, snapshotEvery, logSegmentBytes, env, startupTimeout);
    }
  }

  private ChaosCluster(NodeImage image, Options options, Network network, String peers,
      String pid, String hostAddress, List<ClusterNode> nodes, DockerClient docker) {
    this.image = image;
    this.hostAddress = hostAddress;
    this.options = options;
    this.network = network;
    this.peers = peers;
    this.pid = pid;
    this.nodes = List.copyOf(nodes);
    this.docker = docker;
  }

  /**
   * Starts the nodes and waits until every node answers a linearizable read.
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
        String id = "n" + i;
        nodes.add(new ClusterNode(id, subnet.host(10 + i),
            Files.createDirectories(runDir.resolve(id).resolve("data"))));
      }
      cluster = new ChaosCluster(image, options, network, peers, pid, subnet.host(1), nodes,
          docker);
      for (ClusterNode node : nodes) {
        cluster.startContainer(node, null); // waits for kvd's "serving" line
      }
      cluster.awaitAllServeLinearizable(options.startupTimeout());
      LOG.info("cluster up on {}: {}", subnet.cidr(), nodes);
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
        "--data-dir", "/data",
        "--snapshot-every", Long.toString(options.snapshotEvery()),
        "--log-segment-bytes", Long.toString(options.logSegmentBytes())));
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
            // Ratis logs role changes through the logger org.apache.ratis.server.RaftServer,
            // which kvd's logback.xml keeps at WARN; the leader lookup reads those lines.
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

  public List<ClusterNode> nodes() {
    return nodes;
  }

  public ClusterNode node(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node " + id + " in " + nodes));
  }

  /** The host's address on the cluster network (its gateway), where host-side proxies listen. */
  public String hostAddress() {
    return hostAddress;
  }

  public Options options() {
    return options;
  }

  /** Every node's API endpoint, in node order. */
  public List<String> apiEndpoints() {
    return nodes.stream().map(ClusterNode::apiEndpoint).toList();
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

  /** Waits until the node's API answers (a serializable read, no quorum needed). */
  public void awaitApiUp(ClusterNode node, Duration timeout) {
    try (KvClient client = probeClient(node)) {
      Awaitility.await(node + " to serve its API").atMost(timeout)
          .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
          .until(() -> {
            client.get(PROBE_KEY.getBytes(StandardCharsets.UTF_8), ReadConsistency.SERIALIZABLE);
            return true;
          });
    }
  }

  /**
   * Waits until every node answers a linearizable read itself, which needs a leader and a quorum
   * reachable from each: the cluster is whole again.
   */
  public void awaitAllServeLinearizable(Duration timeout) {
    for (ClusterNode node : nodes) {
      try (KvClient client = probeClient(node)) {
        Awaitility.await(node + " to serve linearizable reads").atMost(timeout)
            .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
            .until(() -> {
              client.get(PROBE_KEY.getBytes(StandardCharsets.UTF_8));
              return true;
            });
      }
    }
  }

  /**
   * A client that talks to this node only (no fail-over); its timeouts allow for a machine so
   * loaded that one linearizable read takes seconds.
   */
  public KvClient probeClient(ClusterNode node) {
    return KvClient.builder().endpoints(node.apiEndpoint())
        .timeout(Duration.ofSeconds(10)).attemptTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * The node that most recently became leader at the highest term, as the nodes' own logs say
   * (kvd has no admin call that names the leader yet). Among running, unpaused nodes only.
   */
  public Optional<ClusterNode> leaderFromLogs() {
    ClusterNode best = null;
    long bestTerm = -1;
    long highestTerm = -1;
    for (ClusterNode node : nodes) {
      String lastRole = null;
      long lastTerm = -1;
      Matcher m = ROLE_CHANGE.matcher(currentLogs(node));
      while (m.find()) {
        lastRole = m.group(1);
        lastTerm = Long.parseLong(m.group(2));
      }
      highestTerm = Math.max(highestTerm, lastTerm);
      if ("LEADER".equals(lastRole) && lastTerm > bestTerm && isRunning(node)
          && !isPaused(node)) {
        best = node;
        bestTerm = lastTerm;
      }
    }
    // A leader of an old term that did not hear of the newer one yet is not the leader.
    return bestTerm >= 0 && bestTerm == highestTerm ? Optional.of(best) : Optional.empty();
  }

  /** Waits for {@link #leaderFromLogs} to name a leader. */
  public ClusterNode awaitLeader(Duration timeout) {
    return Awaitility.await("a leader").atMost(timeout).pollInterval(Duration.ofMillis(250))
        .until(this::leaderFromLogs, Optional::isPresent).orElseThrow();
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
    for (ClusterNode node : nodes) {
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
    for (ClusterNode node : nodes) {
      removeContainer(node);
    }
    try {
      network.close();
    } catch (RuntimeException e) {
      LOG.warn("could not remove the network: {}", e.toString());
    }
  }
}
