package dev.kv.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.Consistency;
import dev.kv.api.v1.GetNodeStatusRequest;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.GetResponse;
import dev.kv.api.v1.KVGrpc;
import dev.kv.api.v1.NodeStatus;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The developer workflow of the README, end to end with real processes: bin/kv-local brings up
 * three kvd nodes, bin/kvctl writes and reads, a node is killed (kill -9) and the other two keep
 * serving, the node comes back and catches up, a fourth node is added and receives replicas, is
 * drained and removed, and bin/kv-local down stops everything.
 *
 * <p>The steps run in order and build on each other, like the README's story.
 */
@Order(2) // last: it ends by stopping the shared cluster
@ExtendWith(LocalClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KvLocalSmokeIT {
  /** Long enough for a new leader election (and a client retry) after a node is killed. */
  private static final Duration FAILOVER = Duration.ofSeconds(60);

  /** Long enough for the controller to move a node's share of replicas, one step per second. */
  private static final Duration MOVES = Duration.ofSeconds(180);

  private static final String CRASH_KEY = "written-while-n1-was-down";
  private static final String CRASH_VALUE = "n2-and-n3-are-a-majority";

  @Test
  @Order(1)
  void upIsIdempotentAndPrintsTheEndpoints(LocalCluster cluster) {
    // The extension has started the cluster with the same command; running it again must say
    // so and succeed.
    ProcessResult up = cluster.kvLocal("up");

    assertThat(up.exitCode()).as(up.describe()).isZero();
    assertThat(up.stdout()).as(up.describe()).contains("already running");
    for (String node : LocalCluster.NODES) {
      assertThat(up.stdout()).as(up.describe()).contains(cluster.endpoint(node));
    }
  }

  @Test
  @Order(2)
  void putThenGetPrintsTheValue(LocalCluster cluster) {
    ProcessResult put = cluster.kvctl("put", "greeting", "hello");
    assertThat(put.exitCode()).as(put.describe()).isZero();

    ProcessResult get = cluster.kvctl("get", "greeting");
    assertThat(get.exitCode()).as(get.describe()).isZero();
    assertThat(get.stdout()).as(get.describe()).isEqualTo("hello\n");
  }

  @Test
  @Order(3)
  void getOfAnAbsentKeyExitsOne(LocalCluster cluster) {
    ProcessResult get = cluster.kvctl("get", "no-such-key");

    assertThat(get.exitCode()).as(get.describe()).isEqualTo(1);
    assertThat(get.stderr()).as(get.describe()).contains("key not found");
  }

  @Test
  @Order(4)
  void theOtherTwoNodesServeWhileOneIsKilled(LocalCluster cluster) {
    long n1 = cluster.pid("n1").orElseThrow(() -> new AssertionError("n1 has no pid file"));

    ProcessResult kill = cluster.kvLocal("kill", "n1");
    assertThat(kill.exitCode()).as(kill.describe()).isZero();
    assertThat(LocalCluster.isAlive(n1)).as("n1 (pid %d) is still alive", n1).isFalse();

    // If n1 led, n2 and n3 first elect a new leader; until then a request may fail with
    // UNAVAILABLE (exit 3). A majority must serve again within the bound.
    String survivors = cluster.endpoints("n2", "n3");
    Await.until(
        "a put through n2 and n3",
        FAILOVER,
        () -> cluster.kvctl("--endpoints", survivors, "put", CRASH_KEY, CRASH_VALUE),
        ProcessResult::succeeded);
    ProcessResult get = cluster.kvctl("--endpoints", survivors, "get", CRASH_KEY);
    assertThat(get.exitCode()).as(get.describe()).isZero();
    assertThat(get.stdout()).as(get.describe()).isEqualTo(CRASH_VALUE + "\n");

    ProcessResult earlier = cluster.kvctl("--endpoints", survivors, "get", "greeting");
    assertThat(earlier.stdout()).as(earlier.describe()).isEqualTo("hello\n");
  }

  @Test
  @Order(5)
  void aRestartedNodeCatchesUpOnWhatItMissed(LocalCluster cluster) {
    ProcessResult start = cluster.kvLocal("start", "n1");
    assertThat(start.exitCode()).as(start.describe()).isZero();

    // A SERIALIZABLE read is answered by n1 from its own state, so it shows the write only once
    // n1 has received and applied the log entries it missed.
    Await.until(
        "a SERIALIZABLE read on n1 to show " + CRASH_KEY + "=" + CRASH_VALUE,
        FAILOVER,
        () -> serializableRead(cluster.endpoint("n1"), CRASH_KEY),
        ("found " + CRASH_VALUE)::equals);
  }

  @Test
  @Order(6)
  void statusListsTheThreeNodes(LocalCluster cluster) {
    ProcessResult status = cluster.kvLocal("status");

    assertThat(status.exitCode()).as(status.describe()).isZero();
    for (String node : LocalCluster.NODES) {
      assertThat(status.stdout())
          .as(status.describe())
          .containsPattern("(?m)^" + node + "\\s+running\\s+\\d+\\s+" + cluster.endpoint(node));
    }
  }

  @Test
  @Order(7)
  void anAddedNodeJoinsAndReceivesReplicas(LocalCluster cluster) {
    ProcessResult add = cluster.kvLocal("add");
    assertThat(add.exitCode()).as(add.describe()).isZero();
    assertThat(add.stdout()).as(add.describe()).contains("started " + LocalCluster.ADDED);

    // 8 data groups x 3 replicas over 4 nodes: the controller moves replicas until each node
    // holds 6, give or take one.
    Await.until(
        LocalCluster.ADDED + " to hold its share of the replicas",
        MOVES,
        () -> dataReplicasOn(cluster, LocalCluster.ADDED),
        count -> count >= 5);
    ProcessResult get = cluster.kvctl("--endpoints", cluster.endpoint(LocalCluster.ADDED), "get",
        CRASH_KEY);
    assertThat(get.stdout()).as(get.describe()).isEqualTo(CRASH_VALUE + "\n");
  }

  @Test
  @Order(8)
  void aDrainedNodeIsRemovedAndNothingIsLost(LocalCluster cluster) {
    ProcessResult early = cluster.kvLocal("remove", LocalCluster.ADDED);
    assertThat(early.exitCode()).as(early.describe()).isNotZero();
    assertThat(early.stderr()).as(early.describe()).contains("drain it first");

    ProcessResult drain = cluster.kvctl("node", "drain", LocalCluster.ADDED);
    assertThat(drain.exitCode()).as(drain.describe()).isZero();
    Await.until(
        LocalCluster.ADDED + " to hold no replicas",
        MOVES,
        () -> dataReplicasOn(cluster, LocalCluster.ADDED),
        count -> count == 0);
    ProcessResult remove = cluster.kvLocal("remove", LocalCluster.ADDED);
    assertThat(remove.exitCode()).as(remove.describe()).isZero();

    ProcessResult status = cluster.kvLocal("status");
    // The NODE column, not the whole text: the paths may contain "n4" (a folder named ci-run4).
    assertThat(status.stdout().lines().map(line -> line.split("\\s+")[0]))
        .as(status.describe())
        .contains("n1")
        .doesNotContain(LocalCluster.ADDED);
    for (String key : List.of("greeting", CRASH_KEY)) {
      ProcessResult get = cluster.kvctl("get", key);
      assertThat(get.exitCode()).as(get.describe()).isZero();
    }
  }

  @Test
  @Order(9)
  void downStopsEveryNode(LocalCluster cluster) {
    Map<String, Long> pidsBeforeDown = new TreeMap<>();
    for (String node : LocalCluster.NODES) {
      pidsBeforeDown.put(
          node, cluster.pid(node).orElseThrow(() -> new AssertionError(node + " has no pid")));
    }

    ProcessResult down = cluster.kvLocal("down");

    assertThat(down.exitCode()).as(down.describe()).isZero();
    List<String> alive = new ArrayList<>();
    pidsBeforeDown.forEach(
        (node, pid) -> {
          if (LocalCluster.isAlive(pid)) {
            alive.add(node + " (pid " + pid + ")");
          }
        });
    assertThat(alive).as("nodes alive after down:\n" + down.describe()).isEmpty();
    ProcessResult status = cluster.kvLocal("status");
    assertThat(status.stdout()).as(status.describe()).doesNotContain("running");
  }

  /** How many data-group replicas {@code node} hosts, by its own account. */
  private static int dataReplicasOn(LocalCluster cluster, String node) {
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget(cluster.endpoint(node)).usePlaintext().build();
    try {
      NodeStatus status =
          ClusterGrpc.newBlockingStub(channel)
              .withDeadlineAfter(3, TimeUnit.SECONDS)
              .getNodeStatus(GetNodeStatusRequest.getDefaultInstance());
      return (int)
          status.getReplicasList().stream().filter(r -> r.getGroupId().startsWith("data-")).count();
    } catch (StatusRuntimeException e) {
      return -1;
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * A SERIALIZABLE Get on exactly this node, described as "found VALUE", "absent" or the gRPC
   * status of the error.
   */
  private static String serializableRead(String endpoint, String key) {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(endpoint).usePlaintext().build();
    try {
      GetResponse response =
          KVGrpc.newBlockingStub(channel)
              .withDeadlineAfter(3, TimeUnit.SECONDS)
              .get(
                  GetRequest.newBuilder()
                      .setKey(ByteString.copyFromUtf8(key))
                      .setConsistency(Consistency.SERIALIZABLE)
                      .build());
      return response.getFound()
          ? "found " + response.getValue().toString(StandardCharsets.UTF_8)
          : "absent";
    } catch (StatusRuntimeException e) {
      return e.getStatus().toString();
    } finally {
      channel.shutdownNow();
    }
  }
}
