package dev.kv.chaos.nemesis;

import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.ReplicaStatus;
import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.cluster.ClusterNode;
import dev.kv.chaos.cluster.ClusterView;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kinds of fault the nemesis injects; each {@link #pick}s its targets with the run's random
 * source and returns a {@link Fault} ready to start. Every data group has its own leader, so "the
 * leader" of a leader fault is the node leading the most data groups; a fault's name says which
 * groups its node led when it was picked, for example {@code kill n2 (leads data-0,data-3)}.
 */
public enum FaultKind {
  /**
   * kill -9 of a node (the busiest leader half of the time), started again at the end.
   */
  KILL {
    @Override
    Fault pick(Targets t) {
      ClusterNode node = t.nodeOrLeader();
      return simple("kill " + t.describe(node), () -> t.cluster.kill(node),
          () -> restart(t, node));
    }
  },
  /**
   * The busiest leader stopped gracefully (SIGTERM: kvd hands its leaderships to other nodes
   * before it stops), started again at the end.
   */
  LEADER_HANDOFF {
    @Override
    Fault pick(Targets t) {
      ClusterNode node = t.leader().orElseGet(t::randomNode);
      return simple("graceful-stop " + t.describe(node), () -> t.cluster.stopGracefully(node),
          () -> restart(t, node));
    }
  },
  /** SIGSTOP of a node's processes (the busiest leader half of the time), SIGCONT at the end. */
  PAUSE {
    @Override
    Fault pick(Targets t) {
      ClusterNode node = t.nodeOrLeader();
      return simple("pause " + t.describe(node), () -> t.cluster.pause(node),
          () -> t.cluster.unpause(node));
    }
  },
  /** One random node cut off from the others. */
  ISOLATE_NODE {
    @Override
    Fault pick(Targets t) {
      return isolate(t, t.randomNode(), "isolate ");
    }
  },
  /** The node leading the most data groups cut off from the others. */
  ISOLATE_LEADER {
    @Override
    Fault pick(Targets t) {
      ClusterNode leader = t.leader().orElseGet(t::randomNode);
      return isolate(t, leader, "isolate-leader ");
    }
  },
  /** A random minority and majority that cannot talk to each other. */
  SPLIT {
    @Override
    Fault pick(Targets t) {
      List<ClusterNode> shuffled = t.shuffledNodes();
      int minority = shuffled.size() / 2;
      List<ClusterNode> small = shuffled.subList(0, minority);
      List<ClusterNode> large = shuffled.subList(minority, shuffled.size());
      return simple("split " + ids(small) + " | " + ids(large),
          () -> t.partitions.cut(small, large), t.partitions::healAll);
    }
  },
  /**
   * Every node hears a majority (itself and the next n/2 nodes of a random ring), but no two nodes
   * hear the same majority: one-way cuts, as Jepsen's majorities ring. With 3 nodes each node
   * hears exactly one other.
   */
  MAJORITIES_RING {
    @Override
    Fault pick(Targets t) {
      List<ClusterNode> ring = t.shuffledNodes();
      int n = ring.size();
      return simple("majorities-ring " + ids(ring), () -> {
        for (int i = 0; i < n; i++) {
          for (int j = n / 2 + 1; j < n; j++) {
            t.partitions.dropFrom(ring.get((i + j) % n), ring.get(i));
          }
        }
      }, t.partitions::healAll);
    }
  },
  /**
   * A follower cut off until it needs a snapshot install: the fault starts by cutting it off and
   * ends its start only once the leader of one of its data groups has purged its log past what the
   * follower holds (by the leaders' log start index in the cluster status), so healing it takes a
   * snapshot install; then the schedule's hold. Needs a cluster with a small --snapshot-every and
   * small log segments, or the wait times out and the run fails saying so.
   */
  ISOLATE_FOR_SNAPSHOT {
    @Override
    Fault pick(Targets t) {
      Optional<ClusterNode> leader = t.leader();
      ClusterNode node =
          t.shuffledNodes().stream().filter(n -> leader.map(l -> !l.equals(n)).orElse(true))
              .findFirst().orElseThrow();
      Fault isolation = isolate(t, node, "isolate-for-snapshot ");
      return simple(isolation.name(), () -> {
        isolation.start();
        awaitSnapshotNeeded(t, node);
      }, isolation::stop);
    }
  },
  /**
   * A node restarted with its clocks shifted by hours (libfaketime, a fixed offset for the
   * process' life), restarted with true clocks at the end. Ratis times elections with the
   * monotonic clock, which the JVM only takes differences of, so this tests the service's own
   * use of wall-clock time (and any lease that trusted it).
   */
  CLOCK_SKEW {
    @Override
    Fault pick(Targets t) {
      ClusterNode node = t.randomNode();
      int hours = (1 + t.random.nextInt(12)) * (t.random.nextBoolean() ? 1 : -1);
      String offset = (hours > 0 ? "+" : "") + hours + "h";
      return simple("clock " + offset + " " + t.describe(node),
          () -> t.cluster.restartWithClockOffset(node, offset), () -> {
            t.cluster.restartWithClockOffset(node, null);
            t.cluster.awaitApiUp(node, HEAL_TIMEOUT);
          });
    }
  },
  /**
   * Every packet between one node and the others held 100-500 ms each way: their Raft
   * connections are redirected (DNAT) through a userspace proxy on the host that delays each
   * chunk, since this kernel has no netem. Clients still reach the node directly.
   */
  DELAY {
    @Override
    Fault pick(Targets t) {
      ClusterNode node = t.randomNode();
      long millis = 100 + t.random.nextInt(401);
      List<DelayProxy> proxies = new ArrayList<>();
      return simple("delay " + millis + " ms " + t.describe(node), () -> {
        for (ClusterNode other : t.cluster.nodes()) {
          if (other.equals(node)) {
            continue;
          }
          for (ClusterNode[] link : new ClusterNode[][] {{node, other}, {other, node}}) {
            DelayProxy proxy = new DelayProxy(t.cluster.hostAddress(),
                new InetSocketAddress(link[1].ip(), ClusterNode.RAFT_PORT), millis);
            proxies.add(proxy);
            t.partitions.redirect(link[0], link[1], ClusterNode.RAFT_PORT,
                t.cluster.hostAddress(), proxy.port());
          }
        }
      }, () -> {
        t.partitions.healAll(); // first, so connections the proxies drop reconnect directly
        proxies.forEach(DelayProxy::close);
      });
    }
  },
  /**
   * kill -9 of a node, then the tail of its newest (in-progress) Ratis log segment cut off, as a
   * torn write at power loss would leave it; started again at the end. Cuts within the last
   * entries only: never a whole closed segment.
   */
  TRUNCATE_LOG_TAIL {
    @Override
    Fault pick(Targets t) {
      ClusterNode node = t.randomNode();
      int bytes = 1 + t.random.nextInt(MAX_TRUNCATE_BYTES);
      return simple("truncate-log " + t.describe(node) + " by up to " + bytes + " B", () -> {
        t.cluster.kill(node);
        truncateNewestSegment(node.dataDir(), bytes);
      }, () -> restart(t, node));
    }
  },
  /**
   * The leadership of one data group moved to another of its replicas through
   * Cluster.TransferLeader, as an operator would. Nothing to heal: the placement controller may
   * move it back later to balance leaders.
   */
  LEADER_TRANSFER {
    @Override
    Fault pick(Targets t) {
      ClusterView view = t.view().orElseThrow(() -> new IllegalStateException(
          "no data group has a known leader to transfer"));
      List<String> led = view.dataGroups().stream()
          .filter(g -> view.leaderOf(g).isPresent()).toList();
      String group = led.get(t.random.nextInt(led.size()));
      String from = view.leaderOf(group).orElseThrow();
      List<String> others = view.replicasOf(group).stream().filter(n -> !n.equals(from)).toList();
      String to = others.get(t.random.nextInt(others.size()));
      return simple("transfer-leader " + group + " " + from + "->" + to,
          () -> transferLeader(t, group, from, to), () -> { });
    }
  },
  /**
   * A membership change under load. With no more members than replicas per group, a new node
   * joins (kvd --join) and the fault lasts until the placement controller has spread replicas
   * onto it evenly and every group settled. With more, a random member is drained
   * (Cluster.DrainNode); the fault lasts until it holds no replica, then it is removed
   * (Cluster.RemoveNode) and stopped. So a run alternates: join, drain, join, ...
   */
  MEMBERSHIP {
    @Override
    Fault pick(Targets t) {
      if (t.cluster.nodes().size() <= ChaosCluster.REPLICATION) {
        String id = t.cluster.nextNodeId();
        return simple("join " + id, t.cluster::join,
            () -> Membership.awaitBalanced(t.cluster, t.cluster.node(id), MEMBERSHIP_TIMEOUT));
      }
      ClusterNode node = t.randomNode();
      return simple("drain " + t.describe(node), () -> Membership.drain(t.cluster, node),
          () -> Membership.awaitEmptyThenRemove(t.cluster, node, MEMBERSHIP_TIMEOUT));
    }
  };

  private static final Logger LOG = LoggerFactory.getLogger(FaultKind.class);

  /** How long a leader transfer may be refused before the fault fails. */
  static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(30);

  /** How long the controller may take to move replicas for a join or a drain. */
  static final Duration MEMBERSHIP_TIMEOUT = Duration.ofMinutes(4);

  /** How long the cluster may take to purge the log a cut-off follower needs. */
  static final Duration SNAPSHOT_NEEDED_TIMEOUT = Duration.ofMinutes(2);

  /**
   * Entries a follower may hold beyond its applied index (appended, commit not yet learned) when
   * it is cut off; a leader's log must start this far past the applied index before the follower
   * surely needs a snapshot.
   */
  static final long UNAPPLIED_MARGIN = 64;

  /** How long a healed node may take to serve again: generous, the machine is shared. */
  static final Duration HEAL_TIMEOUT = Duration.ofMinutes(3);

  private static final int MAX_TRUNCATE_BYTES = 2048;

  /** Chooses the fault's targets. */
  abstract Fault pick(Targets targets);

  /** Picks a fault of this kind against {@code cluster}. */
  public Fault pick(ChaosCluster cluster, Partitions partitions, Random random) {
    return pick(new Targets(cluster, partitions, random));
  }

  /** How long the fault lasts, given the schedule's drawn hold time. */
  public Duration hold(Duration base) {
    return base;
  }

  /** An action that may throw, for faults made of two steps. */
  interface Step {
    void run() throws Exception;
  }

  static Fault simple(String name, Step start, Step stop) {
    return new Fault() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void start() throws Exception {
        start.run();
      }

      @Override
      public void stop() throws Exception {
        stop.run();
      }
    };
  }

  private static void restart(Targets t, ClusterNode node) {
    t.cluster.startAgain(node);
    t.cluster.awaitApiUp(node, HEAL_TIMEOUT);
  }

  /**
   * Waits until the leader of one of {@code node}'s data groups keeps its log only from an index
   * past what {@code node} holds (its applied index, as it reports itself while cut off, plus
   * {@link #UNAPPLIED_MARGIN}); fails after {@link #SNAPSHOT_NEEDED_TIMEOUT}.
   */
  private static void awaitSnapshotNeeded(Targets t, ClusterNode node) {
    ClusterNode majority = t.cluster.nodes().stream().filter(n -> !n.equals(node)).findFirst()
        .orElseThrow();
    Awaitility.await(node.id() + " needs a snapshot install")
        .atMost(SNAPSHOT_NEEDED_TIMEOUT)
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptionsMatching(e -> e instanceof StatusRuntimeException)
        .until(() -> {
          NodeStatus own = t.cluster.admin().nodeStatus(node);
          ClusterView leaders = t.cluster.admin().status(majority);
          for (String group : leaders.dataGroups()) {
            Optional<Long> applied = own.getReplicasList().stream()
                .filter(r -> r.getGroupId().equals(group)).findFirst()
                .map(ReplicaStatus::getAppliedIndex);
            Optional<Long> logStart = leaders.leaderReplica(group)
                .filter(l -> !l.getKey().equals(node.id()))
                .map(l -> l.getValue().getLogStartIndex());
            if (applied.isPresent() && logStart.isPresent()
                && logStart.get() > applied.get() + UNAPPLIED_MARGIN) {
              LOG.info("{} needs a snapshot of {}: it applied up to {}, its leader's log starts"
                  + " at {}", node.id(), group, applied.get(), logStart.get());
              return true;
            }
          }
          return false;
        });
  }

  /**
   * Cluster.TransferLeader, asked again while Ratis refuses it (UNAVAILABLE: another transfer of
   * the group is under way, typically the controller balancing leaders at the same moment);
   * fails when it is still refused after {@link #TRANSFER_TIMEOUT}.
   */
  private static void transferLeader(Targets t, String group, String from, String to) {
    Awaitility.await("leadership of " + group + " moved to " + to).atMost(TRANSFER_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsMatching(e -> e instanceof StatusRuntimeException s
            && s.getStatus().getCode() == Status.Code.UNAVAILABLE)
        .until(() -> {
          t.cluster.admin().transferLeader(t.cluster.node(from), group, to);
          return true;
        });
  }

  private static Fault isolate(Targets t, ClusterNode node, String label) {
    List<ClusterNode> others = t.cluster.nodes().stream().filter(n -> !n.equals(node)).toList();
    return simple(label + t.describe(node), () -> t.partitions.cut(List.of(node), others),
        t.partitions::healAll);
  }

  private static String ids(List<ClusterNode> nodes) {
    return String.join(",", nodes.stream().map(ClusterNode::id).toList());
  }

  /**
   * Cuts up to {@code maxBytes} off the newest in-progress segment of every Raft group in the
   * node's data dir, leaving at least its header. Returns how many bytes were cut.
   */
  static long truncateNewestSegment(Path dataDir, int maxBytes) throws IOException {
    Path raft = dataDir.resolve("raft");
    if (!Files.isDirectory(raft)) {
      return 0;
    }
    long cut = 0;
    List<Path> groups;
    try (Stream<Path> dirs = Files.list(raft)) {
      groups = dirs.filter(d -> Files.isDirectory(d.resolve("current"))).toList();
    }
    for (Path group : groups) {
      List<Path> open = new ArrayList<>();
      try (Stream<Path> files = Files.list(group.resolve("current"))) {
        files.filter(f -> f.getFileName().toString().startsWith("log_inprogress_"))
            .forEach(open::add);
      }
      Optional<Path> newest = open.stream().max(Comparator.comparingLong(
          f -> Long.parseLong(f.getFileName().toString().substring("log_inprogress_".length()))));
      if (newest.isEmpty()) {
        continue;
      }
      try (RandomAccessFile file = new RandomAccessFile(newest.get().toFile(), "rw")) {
        long keep = Math.max(SEGMENT_HEADER_BYTES, file.length() - maxBytes);
        if (keep < file.length()) {
          cut += file.length() - keep;
          file.setLength(keep);
        }
      }
    }
    return cut;
  }

  /** Ratis' segment header ("RaftLog1" and a byte); never cut into it. */
  private static final int SEGMENT_HEADER_BYTES = 9;

  /** The cluster, the partition rules and the random source a fault picks its targets with. */
  static final class Targets {
    final ChaosCluster cluster;
    final Partitions partitions;
    final Random random;
    /** The status at pick time, once it named a leader of every data group; empty if never. */
    private final Optional<ClusterView> viewAtPick;
    private final Optional<ClusterNode> leaderAtPick;

    Targets(ChaosCluster cluster, Partitions partitions, Random random) {
      this.cluster = cluster;
      this.partitions = partitions;
      this.random = random;
      Optional<ClusterView> view;
      try {
        view = Optional.of(cluster.awaitLeaders(Duration.ofSeconds(30)));
      } catch (RuntimeException e) {
        view = Optional.empty();
      }
      this.viewAtPick = view;
      this.leaderAtPick = view.flatMap(ClusterView::busiestLeader).map(cluster::node)
          .filter(cluster::isMember);
    }

    Optional<ClusterView> view() {
      return viewAtPick;
    }

    /** The node leading the most data groups when the fault was picked. */
    Optional<ClusterNode> leader() {
      return leaderAtPick;
    }

    ClusterNode randomNode() {
      List<ClusterNode> nodes = cluster.nodes();
      return nodes.get(random.nextInt(nodes.size()));
    }

    ClusterNode nodeOrLeader() {
      return random.nextBoolean() ? leaderAtPick.orElseGet(this::randomNode) : randomNode();
    }

    List<ClusterNode> shuffledNodes() {
      List<ClusterNode> nodes = new ArrayList<>(cluster.nodes());
      java.util.Collections.shuffle(nodes, random);
      return nodes;
    }

    /** The node's id and the data groups it led at pick time, if any. */
    String describe(ClusterNode node) {
      List<String> led = viewAtPick.map(v -> v.dataGroupsLedBy().get(node.id()))
          .orElse(null);
      return node.id() + (led == null ? "" : " (leads " + String.join(",", led) + ")");
    }
  }
}
