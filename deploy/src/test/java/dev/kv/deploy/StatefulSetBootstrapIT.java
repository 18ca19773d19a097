package dev.kv.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.kv.api.testing.LoopbackPorts;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.ClusterStatus;
import dev.kv.api.v1.GetNodeStatusRequest;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.GetStatusRequest;
import dev.kv.api.v1.KVGrpc;
import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.RangeAssignment;
import dev.kv.api.v1.ReplicaStatus;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kvd processes started from the image's distribution with exactly the environment a StatefulSet
 * gives its pods (POD_NAME kv-0, kv-1, ..., POD_NAMESPACE, the ConfigMap's KV_PEER_SERVICE and
 * KV_INITIAL_MEMBERS) and reachable under the pods' DNS names
 * (kv-N.kv-peers.kvtest.svc.cluster.local, from a hosts file given to each JVM, each name on its
 * own loopback address, all pods on the same ports as in the StatefulSet). The first start
 * bootstraps a cluster, a restarted pod rejoins from its data, and a pod beyond the initial
 * members (a scale-up) joins and receives replicas.
 */
class StatefulSetBootstrapIT {
  private static final Path DISTRIBUTION = Path.of(System.getProperty("kv.distribution.dir"));
  private static final Path WORK = Path.of(System.getProperty("kv.work.dir"));
  private static final String NAMESPACE = "kvtest";
  private static final Duration SETTLE = Duration.ofSeconds(180);

  private final List<Process> pods = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private Path dir;
  private Path hosts;
  private int raftPort;
  private int apiPort;

  @AfterEach
  void stopEverything() throws InterruptedException {
    channels.forEach(ManagedChannel::shutdownNow);
    for (Process p : pods) {
      if (p != null) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void podsBootstrapRejoinAndScaleUpFromTheirStatefulSetIdentity() throws Exception {
    dir = Files.createDirectories(WORK.resolve("statefulset-" + System.nanoTime()));
    raftPort = freePortOnEveryPodAddress(5);
    apiPort = freePortOnEveryPodAddress(5);
    StringBuilder table = new StringBuilder("127.0.0.1 localhost\n");
    for (int i = 0; i < 5; i++) {
      table.append(address(i)).append(' ').append(host(i)).append('\n');
    }
    hosts = Files.writeString(dir.resolve("hosts"), table.toString());

    for (int i = 0; i < 3; i++) {
      pods.add(start(i));
    }
    awaitEveryGroupLed(0, 3);
    var kv = KVGrpc.newBlockingStub(channel(0)).withDeadlineAfter(30, TimeUnit.SECONDS);
    for (int k = 0; k < 20; k++) {
      kv.put(PutRequest.newBuilder().setKey(bytes("key-" + k)).setValue(bytes("v" + k)).build());
    }
    ClusterStatus status = status(0);
    assertThat(status.getPlacement().getNodesList())
        .extracting(n -> n.getNodeId() + "@" + n.getApiAddress())
        .containsExactlyInAnyOrder(
            "kv-0@" + host(0) + ":" + apiPort,
            "kv-1@" + host(1) + ":" + apiPort,
            "kv-2@" + host(2) + ":" + apiPort);

    // A restarted pod (the StatefulSet replaces it under the same name) rejoins from its data.
    pods.get(1).destroy();
    assertThat(pods.get(1).waitFor(60, TimeUnit.SECONDS)).isTrue();
    pods.set(1, start(1));
    awaitEveryGroupLed(1, 3);
    assertThat(dataReplicas(1)).isPositive();

    // Scale-up: kv-3 is not an initial member; it joins through kv-0..kv-2 and gets replicas.
    pods.add(start(3));
    await("kv-3 to hold data replicas")
        .atMost(SETTLE)
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptionsInstanceOf(StatusRuntimeException.class)
        .until(() -> dataReplicas(3) >= 2);
    awaitEveryGroupLed(3, 4);
    var throughNewPod = KVGrpc.newBlockingStub(channel(3)).withDeadlineAfter(30, TimeUnit.SECONDS);
    for (int k = 0; k < 20; k++) {
      assertThat(throughNewPod.get(GetRequest.newBuilder().setKey(bytes("key-" + k)).build())
              .getValue().toStringUtf8())
          .isEqualTo("v" + k);
    }
  }

  /** Starts pod {@code ordinal} the way the StatefulSet and the ConfigMap describe it. */
  private Process start(int ordinal) throws IOException {
    Path podDir = Files.createDirectories(dir.resolve("kv-" + ordinal));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                "-Xmx256m",
                "-Djdk.net.hosts.file=" + hosts,
                "-cp",
                DISTRIBUTION.resolve("lib") + "/*",
                "dev.kv.server.Kvd")
            .directory(podDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(podDir.resolve("kvd.log").toFile()));
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("KV_") || name.startsWith("POD_"));
    env.putAll(
        new TreeMap<>(
            Map.of(
                "POD_NAME", "kv-" + ordinal,
                "POD_NAMESPACE", NAMESPACE,
                "KV_PEER_SERVICE", "kv-peers",
                "KV_INITIAL_MEMBERS", "3",
                // Each pod listens on its own address, on the ports every pod uses.
                "KV_RAFT_ADDRESS", address(ordinal) + ":" + raftPort,
                "KV_API_ADDRESS", address(ordinal) + ":" + apiPort,
                "KV_DATA_DIR", podDir.resolve("data").toString(),
                "KV_DATA_GROUPS", "4")));
    return builder.start();
  }

  /**
   * Waits until the map lists {@code nodes} nodes, all answer, every group has a leader, and the
   * leader of every group the map gives ranges has applied that assignment: only then does a
   * plain gRPC client (no SDK retries) get answers.
   */
  private void awaitEveryGroupLed(int via, int nodes) {
    await("every group led and serving its ranges, with " + nodes + " nodes, seen from kv-" + via)
        .atMost(SETTLE)
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptionsInstanceOf(StatusRuntimeException.class)
        .until(
            () -> {
              ClusterStatus s = status(via);
              Set<String> owning = s.getPlacement().getRangesList().stream()
                  .map(RangeAssignment::getGroupId).collect(Collectors.toSet());
              return s.getPlacement().getNodesCount() == nodes
                  && s.getUnreachableCount() == 0
                  && s.getPlacement().getGroupsList().stream()
                      .allMatch(g -> s.getNodesList().stream()
                          .flatMap(n -> n.getReplicasList().stream())
                          .anyMatch(r -> r.getGroupId().equals(g.getGroupId())
                              && r.getRole().equals("LEADER")
                              && (!owning.contains(g.getGroupId())
                                  || r.getOwnedRangesCount() > 0)));
            });
  }

  private ClusterStatus status(int ordinal) {
    return ClusterGrpc.newBlockingStub(channel(ordinal))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .getStatus(GetStatusRequest.getDefaultInstance());
  }

  private long dataReplicas(int ordinal) {
    NodeStatus node =
        ClusterGrpc.newBlockingStub(channel(ordinal))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .getNodeStatus(GetNodeStatusRequest.getDefaultInstance());
    return node.getReplicasList().stream()
        .map(ReplicaStatus::getGroupId)
        .filter(g -> g.startsWith("data-"))
        .count();
  }

  private ManagedChannel channel(int ordinal) {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress(address(ordinal), apiPort).usePlaintext().build();
    channels.add(channel);
    return channel;
  }

  private static String host(int ordinal) {
    return "kv-" + ordinal + ".kv-peers." + NAMESPACE + ".svc.cluster.local";
  }

  /** Pod N's own loopback address (all of 127.0.0.0/8 is loopback on Linux). */
  private static String address(int ordinal) {
    return "127.0.2." + (ordinal + 1);
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** A port free on every pod address, as every pod of a StatefulSet listens on the same port. */
  private static int freePortOnEveryPodAddress(int podCount) throws IOException {
    List<InetAddress> addresses = new ArrayList<>();
    for (int i = 0; i < podCount; i++) {
      addresses.add(InetAddress.getByName(address(i)));
    }
    return LoopbackPorts.freeOnEvery(addresses);
  }
}
