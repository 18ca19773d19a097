package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.kv.api.KeyHash;
import dev.kv.api.placement.GroupPlacement;
import dev.kv.api.placement.NodeId;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.DrainNodeRequest;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.Placement;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.RemoveNodeRequest;
import dev.kv.api.v1.TransferLeaderRequest;
import dev.kv.client.KvClient;
import dev.kv.client.KeyValue;
import dev.kv.client.ScanOptions;
import dev.kv.server.api.RoutingErrors;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.config.RaftLogSettings;
import dev.kv.server.raft.RaftGroups;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster of several data groups: routing, cross-group scans, joins and drains under load. */
class ShardedClusterTest {
  @TempDir Path dir;

  private static final ClusterSettings FOUR_GROUPS = new ClusterSettings(4, 3, Duration.ofMinutes(5));

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void keysSpreadOverEveryGroupAndAScanSeesEachOnceInHashOrder() {
    try (TestCluster cluster = TestCluster.start(dir, 3, RaftLogSettings.DEFAULTS, FOUR_GROUPS);
        KvClient client = cluster.client()) {
      Set<String> groups = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        client.put(b("key-" + i), b("v" + i));
      }
      for (int i = 0; i < 40; i++) {
        var reply = cluster.stub(i % 3).get(
            GetRequest.newBuilder().setKey(ByteString.copyFrom(b("key-" + i))).build());
        assertThat(reply.getValue().toStringUtf8()).isEqualTo("v" + i);
        groups.add(reply.getHeader().getGroupId());
      }
      assertThat(groups).hasSize(4);

      List<KeyValue> all = client.scanAll(ScanOptions.builder().limit(7).build()).toList();

      assertThat(all).hasSize(200);
      assertKvctlAdministers(cluster);
      assertThat(all.stream().map(kv -> new String(kv.key(), StandardCharsets.UTF_8)).distinct())
          .hasSize(200);
      for (int i = 1; i < all.size(); i++) {
        assertThat(Long.compareUnsigned(KeyHash.of(all.get(i - 1).key()), KeyHash.of(all.get(i).key())))
            .isLessThanOrEqualTo(0);
      }
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  /**
   * 3 -> 4 -> 5 nodes and back to 4, under continuous client writes and reads: two joins, a crash
   * of the joining node in the middle of a replica move (it comes back from its data), and a
   * drain and removal of a seed. No request fails beyond the SDK's own retries, every read of an
   * acknowledged write sees it, every acknowledged write is readable at the end, and a client
   * that routed with the map from before the joins is corrected by a routing error.
   */
  @Test
  void growAndShrinkUnderLoadWithACrashMidMoveLoseNothingAndFailNoRequest() throws Exception {
    RoutingRecorder recorder = new RoutingRecorder();
    try (TestCluster cluster = TestCluster.start(dir, 3, RaftLogSettings.DEFAULTS, FOUR_GROUPS);
        KvClient client = cluster.client();
        KvClient staleClient = KvClient.builder().endpoints(cluster.endpoints())
            .timeout(Duration.ofSeconds(30)).channelFactory(recorder::channel).build()) {
      long epochBefore = placement(cluster, 0).getEpoch();
      // The SDK fetches the map in the background after its first request; from then on its
      // requests carry the map's epoch.
      await("the client to route with the map").atMost(Duration.ofSeconds(30)).until(() -> {
        staleClient.put(b("probe"), b("before"));
        return recorder.putEpochs.get(recorder.putEpochs.size() - 1) == epochBefore;
      });

      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      List<String> writtenKeys = new CopyOnWriteArrayList<>();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong reads = new AtomicLong();
      Thread writer = new Thread(() -> {
        for (int i = 0; running.get(); i++) {
          try {
            client.put(b("load-" + i), b("v" + i));
            acknowledged.put("load-" + i, "v" + i);
            writtenKeys.add("load-" + i);
          } catch (Throwable e) {
            failures.add(e);
          }
        }
      }, "load-writer");
      // Reads of writes acknowledged before the read began: a linearizable read must see each.
      Thread reader = new Thread(() -> {
        java.util.Random random = new java.util.Random(7);
        while (running.get()) {
          try {
            if (writtenKeys.isEmpty()) {
              Thread.onSpinWait();
              continue;
            }
            String key = writtenKeys.get(random.nextInt(writtenKeys.size()));
            String value = new String(client.get(b(key)).orElseThrow(
                () -> new AssertionError(key + " was acknowledged, then read as absent")).value(),
                StandardCharsets.UTF_8);
            if (!value.equals(acknowledged.get(key))) {
              failures.add(new AssertionError(key + " read as " + value));
            }
            reads.incrementAndGet();
          } catch (Throwable e) {
            failures.add(e);
          }
        }
      }, "load-reader");
      writer.start();
      reader.start();

      // 3 -> 4: the new node receives replicas until counts differ by at most one.
      int fourth = cluster.addNode();
      NodeId n4 = cluster.node(fourth).config().nodeId();
      awaitPlacement(cluster, "n4 holds its share and every group settled", map ->
          map.groupsOn(n4).size() >= 3 && isBalanced(map) && settled(cluster, map));
      // Then leaders: no node leads more than its share of the groups, n4 included.
      cluster.awaitReady();

      // A client that routed with the old epoch gets the routing error with the newer map.
      StatusRuntimeException stale = catchStale(cluster, epochBefore);
      assertThat(stale.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
      Placement attached = stale.getTrailers().get(RoutingErrors.PLACEMENT_TRAILER);
      assertThat(attached.getEpoch()).isGreaterThan(epochBefore);
      // The SDK, still holding the map from before the join, gets the same error, takes the map
      // attached to it and retries with it: the caller sees only the success.
      assertThat(recorder.routingErrorEpochs).isEmpty();
      staleClient.put(b("probe"), b("after the join"));
      assertThat(recorder.routingErrorEpochs).isNotEmpty()
          .allMatch(epoch -> epoch > epochBefore);
      assertThat(recorder.putEpochs.get(recorder.putEpochs.size() - 1))
          .isEqualTo(recorder.routingErrorEpochs.get(recorder.routingErrorEpochs.size() - 1));
      assertThat(staleClient.get(b("probe")).orElseThrow().value()).isEqualTo(b("after the join"));

      // 4 -> 5, and n5 crashes while a replica is moving to it: n5 hosts the new replica, but
      // the group's voters do not match the map yet (it is catching up or being staged).
      int fifth = cluster.addNode();
      KvNode fifthNode = cluster.node(fifth);
      NodeId n5 = fifthNode.config().nodeId();
      await("a replica move to n5 under way")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> fifthNode.raft().replicas().stream()
                  .anyMatch(d -> !d.getGroup().getGroupId().equals(RaftGroups.idOf(RaftGroups.META)))
              && cluster.node(0).membership().cache().current()
                  .filter(map -> !settled(cluster, map))
                  .isPresent());
      cluster.crash(fifth);
      cluster.start(fifth);
      awaitPlacement(cluster, "n5 holds its share and every group settled", map ->
          map.groupsOn(n5).size() >= 2 && isBalanced(map) && settled(cluster, map));

      // Drain n1 (a seed) while it leads the meta group: every replica moves off it, the meta
      // replica too, while n1 still runs the placement controller; then it can be removed.
      NodeId n1 = cluster.node(0).config().nodeId();
      cluster(cluster, 1).transferLeader(TransferLeaderRequest.newBuilder()
          .setGroupId("meta").setNodeId(n1.value()).build());
      cluster(cluster, 1).drainNode(DrainNodeRequest.newBuilder().setNodeId(n1.value()).build());
      awaitPlacement(cluster, "n1 empty and every group settled", map ->
          map.groupsOn(n1).isEmpty() && settled(cluster, map));
      cluster(cluster, 1).removeNode(RemoveNodeRequest.newBuilder().setNodeId(n1.value()).build());
      awaitPlacement(cluster, "n1 gone from the map and the rest balanced", map ->
          map.node(n1).isEmpty() && isBalanced(map));

      running.set(false);
      writer.join();
      reader.join();
      assertThat(failures).as("requests failed while nodes joined, crashed and drained").isEmpty();
      assertThat(acknowledged).isNotEmpty();
      assertThat(reads.get()).isPositive();
      cluster.stop(0);
      try (KvClient survivors = cluster.client(cluster.endpoints().subList(1, 5))) {
        for (var e : acknowledged.entrySet()) {
          assertThat(survivors.get(b(e.getKey())))
              .as(e.getKey())
              .hasValueSatisfying(v -> assertThat(new String(v.value(), StandardCharsets.UTF_8))
                  .isEqualTo(e.getValue()));
        }
      }
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  /**
   * A node down longer than --node-down-after has its replicas re-created on the others; when it
   * comes back, its stale replicas are deleted and it receives a fresh share.
   */
  @Test
  void aNodeDownTooLongIsReplacedAndItsStaleReplicasAreDeletedWhenItReturns() throws Exception {
    ClusterSettings quickToGiveUp = new ClusterSettings(4, 3, Duration.ofSeconds(5));
    try (TestCluster cluster = TestCluster.start(dir, 3, RaftLogSettings.DEFAULTS, quickToGiveUp);
        KvClient client = cluster.client()) {
      int fourth = cluster.addNode();
      NodeId n4 = cluster.node(fourth).config().nodeId();
      awaitPlacement(cluster, "n4 holds its share and every group settled", map ->
          map.groupsOn(n4).size() >= 2 && isBalanced(map) && settled(cluster, map));
      for (int i = 0; i < 100; i++) {
        client.put(b("before-" + i), b("v" + i));
      }

      cluster.crash(fourth);
      awaitPlacement(cluster, "n4's replicas re-created on the others", map ->
          map.groupsOn(n4).isEmpty() && settled(cluster, map));
      for (int i = 0; i < 100; i++) {
        client.put(b("while-down-" + i), b("v" + i));
      }

      cluster.start(fourth);
      KvNode back = cluster.node(fourth);
      awaitPlacement(cluster, "n4 back with a fresh share, balanced and settled", map ->
          map.groupsOn(n4).size() >= 2 && isBalanced(map) && settled(cluster, map)
              && hostsExactly(back, map.groupsOn(n4)));
      for (String prefix : List.of("before-", "while-down-")) {
        for (int i = 0; i < 100; i++) {
          assertThat(client.get(b(prefix + i))).as(prefix + i).isPresent();
        }
      }
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  /**
   * A seed that comes back with an empty disk does not format the meta group from its seed list
   * (an empty voter could elect a leader missing committed entries): it starts without a meta
   * replica, and the controller removes its lost replicas (meta and data) from their groups'
   * membership, then adds fresh ones that catch up before they vote.
   */
  @Test
  void aSeedBackWithAWipedDiskDoesNotFormatTheMetaGroup() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3);
        KvClient client = cluster.client()) {
      for (int i = 0; i < 50; i++) {
        client.put(b("before-" + i), b("v" + i));
      }
      NodeId n1 = cluster.node(0).config().nodeId();
      cluster.crash(0);
      wipe(cluster.config(0).dataDir());
      // The probe needs the surviving seeds' meta group to answer (see MetaGroupProbe): when the
      // wiped seed led it, they elect a new leader first.
      await("a meta leader among the survivors").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> cluster.leaderOf(RaftGroups.META).isPresent());

      cluster.start(0);
      KvNode back = cluster.node(0);
      assertThat(back.raft().replica(RaftGroups.META))
          .as("a wiped seed must not format the meta group").isEmpty();
      awaitPlacement(cluster, "n1 hosts fresh meta and data replicas and every group settled",
          map -> settled(cluster, map) && back.raft().replica(RaftGroups.META).isPresent()
              && hostsExactly(back, map.groupsOn(n1)));

      for (int i = 0; i < 50; i++) {
        var reply = cluster.stub(0).get(GetRequest.newBuilder()
            .setKey(ByteString.copyFrom(b("before-" + i)))
            .setConsistency(dev.kv.api.v1.Consistency.SERIALIZABLE).build());
        assertThat(reply.getValue().toStringUtf8()).as("before-" + i).isEqualTo("v" + i);
      }
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  private static void wipe(Path dataDir) throws java.io.IOException {
    try (var files = java.nio.file.Files.walk(dataDir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(f);
      }
    }
  }

  /** Whether {@code node} hosts data replicas of exactly {@code groups}. */
  private static boolean hostsExactly(KvNode node, List<GroupPlacement> groups) {
    Set<org.apache.ratis.protocol.RaftGroupId> expected = new HashSet<>();
    groups.forEach(g -> expected.add(RaftGroups.idOf(g.id())));
    Set<org.apache.ratis.protocol.RaftGroupId> hosted = new HashSet<>();
    node.raft().replicas().forEach(d -> hosted.add(d.getGroup().getGroupId()));
    hosted.remove(RaftGroups.idOf(RaftGroups.META));
    expected.remove(RaftGroups.idOf(RaftGroups.META));
    return hosted.equals(expected);
  }

  /** kvctl shows the layout and moves a leader. */
  private static void assertKvctlAdministers(TestCluster cluster) {
    String endpoints = String.join(",", cluster.endpoints());
    var out = new java.io.StringWriter();
    int code = new picocli.CommandLine(new dev.kv.client.cli.Kvctl())
        .setOut(new java.io.PrintWriter(out, true))
        .execute("--endpoints", endpoints, "cluster", "status");
    assertThat(code).isZero();
    assertThat(out.toString()).contains("data-3", "n1", "n2", "n3", "meta", "placement epoch");

    var json = new java.io.StringWriter();
    code = new picocli.CommandLine(new dev.kv.client.cli.Kvctl())
        .setOut(new java.io.PrintWriter(json, true))
        .execute("--endpoints", endpoints, "cluster", "status", "-o", "json");
    assertThat(code).isZero();
    assertThat(json.toString()).contains("\"groupId\": \"data-1\"", "\"appliedIndex\"");

    var group = new dev.kv.api.placement.GroupId("data-2");
    int leader = cluster.awaitLeader(group);
    String target = cluster.node((leader + 1) % 3).config().nodeId().value();
    var moved = new java.io.StringWriter();
    code = new picocli.CommandLine(new dev.kv.client.cli.Kvctl())
        .setOut(new java.io.PrintWriter(moved, true))
        .execute("--endpoints", endpoints, "group", "transfer-leader", "data-2", target);
    assertThat(code).isZero();
    assertThat(moved.toString()).contains("data-2 is led by " + target);

    var bad = new java.io.StringWriter();
    code = new picocli.CommandLine(new dev.kv.client.cli.Kvctl())
        .setErr(new java.io.PrintWriter(bad, true))
        .execute("--endpoints", endpoints, "group", "transfer-leader", "data-9", target);
    assertThat(code).isNotZero();
  }

  private static StatusRuntimeException catchStale(TestCluster cluster, long epoch) {
    try {
      cluster.stub(1).put(PutRequest.newBuilder()
          .setKey(ByteString.copyFromUtf8("stale"))
          .setValue(ByteString.copyFromUtf8("x"))
          .setRoutingEpoch(epoch)
          .build());
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("a request routed with epoch " + epoch + " was accepted");
  }

  private static boolean isBalanced(PlacementMap map) {
    List<Integer> counts = new ArrayList<>();
    map.nodes().forEach(n -> counts.add(map.groupsOn(n.id()).size()));
    return counts.stream().max(Integer::compare).orElse(0)
        - counts.stream().min(Integer::compare).orElse(0) <= 1;
  }

  /** Every group's leader has exactly the map's replicas as voters. */
  private static boolean settled(TestCluster cluster, PlacementMap map) {
    for (var g : map.groups()) {
      var leader = cluster.leaderOf(g.id());
      if (leader.isEmpty()) {
        return false;
      }
      Set<String> voters = new HashSet<>();
      cluster.node(leader.get()).raft().replica(g.id()).orElseThrow().getRaftConf()
          .getCurrentPeers().forEach(p -> voters.add(p.getId().toString()));
      Set<String> wanted = new HashSet<>();
      g.replicas().forEach(r -> wanted.add(r.value()));
      if (!voters.equals(wanted)) {
        return false;
      }
    }
    return true;
  }

  private static void awaitPlacement(
      TestCluster cluster, String what, java.util.function.Predicate<PlacementMap> condition) {
    await(what)
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> {
          for (int i = 0; i < cluster.size(); i++) {
            if (cluster.isRunning(i)) {
              var map = cluster.node(i).membership().cache().current();
              if (map.isPresent() && condition.test(map.get())) {
                return true;
              }
            }
          }
          return false;
        });
  }

  private static Placement placement(TestCluster cluster, int node) {
    return cluster(cluster, node).getPlacement(dev.kv.api.v1.GetPlacementRequest.getDefaultInstance());
  }

  private static ClusterGrpc.ClusterBlockingStub cluster(TestCluster cluster, int node) {
    return cluster.clusterStub(node);
  }

}
