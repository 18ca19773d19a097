package dev.kv.server;

import static org.awaitility.Awaitility.await;

import dev.kv.api.Limits;
import dev.kv.api.v1.KVGrpc;
import dev.kv.client.KvClient;
import dev.kv.server.config.HostPort;
import dev.kv.server.config.NodeConfig;
import dev.kv.server.config.NodeId;
import dev.kv.server.config.Peer;
import dev.kv.server.config.RaftLogSettings;
import dev.kv.server.config.RaftTiming;
import dev.kv.server.raft.DataGroup;
import dev.kv.statemachine.apply.ApplyConfig;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cluster of real nodes in this JVM: Ratis servers and gRPC servers on loopback ports, RocksDB
 * in a temp directory. Nodes can be stopped and restarted from their data.
 */
public final class TestCluster implements AutoCloseable {
  private final Path dir;
  private final List<NodeConfig> configs = new ArrayList<>();
  private final KvNode[] nodes;
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
  public final List<String> fatalErrors = new CopyOnWriteArrayList<>();

  TestCluster(Path dir, int size, RaftLogSettings raftLog) {
    this.dir = dir;
    this.nodes = new KvNode[size];
    List<Peer> peers = new ArrayList<>();
    int[] raftPorts = new int[size];
    for (int i = 0; i < size; i++) {
      raftPorts[i] = freePort();
      peers.add(new Peer(new NodeId("n" + (i + 1)), new HostPort("127.0.0.1", raftPorts[i])));
    }
    for (int i = 0; i < size; i++) {
      configs.add(
          new NodeConfig(
              peers.get(i).id(),
              peers.get(i).raftAddress(),
              new HostPort("127.0.0.1", freePort()),
              peers,
              dir.resolve("n" + (i + 1)),
              Limits.DEFAULTS,
              RaftTiming.DEFAULTS,
              Duration.ofSeconds(10),
              raftLog,
              ApplyConfig.DEFAULTS));
    }
  }

  public static TestCluster start(Path dir, int size) {
    return start(dir, size, RaftLogSettings.DEFAULTS);
  }

  static TestCluster start(Path dir, int size, RaftLogSettings raftLog) {
    TestCluster cluster = new TestCluster(dir, size, raftLog);
    for (int i = 0; i < size; i++) {
      cluster.start(i);
    }
    cluster.awaitLeader();
    return cluster;
  }

  void start(int i) {
    try {
      nodes[i] = KvNode.start(configs.get(i), (what, cause) -> fatalErrors.add(what + ": " + cause));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void stop(int i) {
    nodes[i].close();
    nodes[i] = null;
  }

  boolean isRunning(int i) {
    return nodes[i] != null;
  }

  public KvNode node(int i) {
    return nodes[i];
  }

  int size() {
    return nodes.length;
  }

  String endpoint(int i) {
    return configs.get(i).apiAddress().toString();
  }

  List<String> endpoints() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      all.add(endpoint(i));
    }
    return all;
  }

  NodeConfig config(int i) {
    return configs.get(i);
  }

  /** The running node that leads the data group, if one does right now. */
  Optional<Integer> leader() {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null) {
        try {
          if (nodes[i].raft().server().getDivision(DataGroup.ID).getInfo().isLeaderReady()) {
            return Optional.of(i);
          }
        } catch (IOException e) {
          // not hosting (yet): not the leader
        }
      }
    }
    return Optional.empty();
  }

  public int awaitLeader() {
    return await("a leader of the data group")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(this::leader, Optional::isPresent)
        .orElseThrow();
  }

  int aFollower() {
    int leader = awaitLeader();
    for (int i = 0; i < nodes.length; i++) {
      if (i != leader && nodes[i] != null) {
        return i;
      }
    }
    throw new IllegalStateException("no running follower");
  }

  KvClient client() {
    return client(endpoints());
  }

  KvClient client(List<String> endpoints) {
    return KvClient.builder().endpoints(endpoints).timeout(Duration.ofSeconds(30)).build();
  }

  /** A raw stub to one node, bypassing the SDK's own validation and retries. */
  KVGrpc.KVBlockingStub stub(int i) {
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget(endpoint(i))
            .usePlaintext()
            .maxInboundMessageSize(8 << 20)
            .build();
    channels.add(channel);
    return KVGrpc.newBlockingStub(channel);
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null) {
        nodes[i].close();
        nodes[i] = null;
      }
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
