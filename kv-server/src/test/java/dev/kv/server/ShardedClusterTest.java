package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.kv.api.KeyHash;
import dev.kv.api.placement.NodeId;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.DrainNodeRequest;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.Placement;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.RemoveNodeRequest;
import dev.kv.client.KvClient;
import dev.kv.client.KeyValue;
import dev.kv.client.ScanOptions;
import dev.kv.server.api.RoutingErrors;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.config.RaftLogSettings;
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

  @Test
  void joinAndDrainUnderLoadLoseNothingAndFailNoRequest() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3, RaftLogSettings.DEFAULTS, FOUR_GROUPS);
        KvClient client = cluster.client()) {
      long epochBefore = placement(cluster, 0).getEpoch();
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      AtomicBoolean running = new AtomicBoolean(true);
      Thread writer = new Thread(() -> {
        for (int i = 0; running.get(); i++) {
          try {
            client.put(b("load-" + i), b("v" + i));
            acknowledged.put("load-" + i, "v" + i);
          } catch (RuntimeException e) {
            failures.add(e);
          }
        }
      }, "load");
      writer.start();

      // 3 -> 4: the new node receives replicas until counts differ by at most one.
      int fourth = cluster.addNode();
      NodeId n4 = cluster.node(fourth).config().nodeId();
      awaitPlacement(cluster, "n4 holds its share and every group settled", map ->
          map.groupsOn(n4).size() >= 3 && isBalanced(map) && settled(cluster, map));

      // A client that routed with the old epoch gets the routing error with the newer map.
      StatusRuntimeException stale = catchStale(cluster, epochBefore);
      assertThat(stale.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
      Placement attached = stale.getTrailers().get(RoutingErrors.PLACEMENT_TRAILER);
      assertThat(attached.getEpoch()).isGreaterThan(epochBefore);

      // Drain n1: every replica moves off it; then it can be removed.
      NodeId n1 = cluster.node(0).config().nodeId();
      cluster(cluster, 1).drainNode(DrainNodeRequest.newBuilder().setNodeId(n1.value()).build());
      awaitPlacement(cluster, "n1 empty and every group settled", map ->
          map.groupsOn(n1).isEmpty() && settled(cluster, map));
      cluster(cluster, 1).removeNode(RemoveNodeRequest.newBuilder().setNodeId(n1.value()).build());
      awaitPlacement(cluster, "n1 gone from the map", map -> map.node(n1).isEmpty());

      running.set(false);
      writer.join();
      assertThat(failures).as("requests failed during join and drain").isEmpty();
      assertThat(acknowledged).isNotEmpty();
      cluster.stop(0);
      try (KvClient survivors = cluster.client(cluster.endpoints().subList(1, 4))) {
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
   * Draining the node that leads the meta group: the map moves the meta replica off it before
   * its leadership moves, and meanwhile that node, which runs the placement controller, must
   * still read the map from its own replica (Ratis' client there no longer lists it as a peer).
   */
  @Test
  void drainingTheMetaLeaderFinishes() {
    try (TestCluster cluster = TestCluster.start(dir, 3, RaftLogSettings.DEFAULTS, FOUR_GROUPS)) {
      NodeId n4 = cluster.node(cluster.addNode()).config().nodeId();
      awaitPlacement(cluster, "n4 holds its share and every group settled", map ->
          map.groupsOn(n4).size() >= 3 && isBalanced(map) && settled(cluster, map));
      int metaLeader = cluster.awaitLeader(dev.kv.server.raft.RaftGroups.META);
      NodeId victim = cluster.node(metaLeader).config().nodeId();

      cluster(cluster, (metaLeader + 1) % 4)
          .drainNode(DrainNodeRequest.newBuilder().setNodeId(victim.value()).build());

      awaitPlacement(cluster, victim + " empty and every group settled", map ->
          map.groupsOn(victim).isEmpty() && settled(cluster, map));
      cluster(cluster, (metaLeader + 1) % 4)
          .removeNode(RemoveNodeRequest.newBuilder().setNodeId(victim.value()).build());
      awaitPlacement(cluster, victim + " gone from the map", map -> map.node(victim).isEmpty());
      assertThat(cluster.fatalErrors).isEmpty();
    }
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
