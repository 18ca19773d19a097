package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.kv.api.v1.Consistency;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.GetResponse;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.PutResponse;
import dev.kv.client.CasResult;
import dev.kv.client.Condition;
import dev.kv.client.KvClient;
import dev.kv.client.ReadConsistency;
import dev.kv.client.ScanOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads and writes against a 3-node in-JVM cluster, through the SDK and through raw gRPC. */
class ClusterReadWriteTest {
  @TempDir static Path dir;
  static TestCluster cluster;
  static KvClient client;

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.start(dir, 3);
    client = cluster.client();
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * One put is one log entry. Ratis 3.3.0 by default also appends a metadata entry each time the
   * commit index advances, which doubled the Raft rounds per write (see RaftPropertiesMapper).
   */
  @Test
  void aPutAppendsOneLogEntry() {
    client.put("entries:warm", "x");
    var log =
        cluster.node(cluster.awaitLeader()).raft().replica(TestCluster.DATA0).orElseThrow()
            .getRaftLog();
    long before = log.getLastCommittedIndex();

    for (int i = 0; i < 20; i++) {
      client.put("entries:" + i, "v");
    }

    assertThat(log.getLastCommittedIndex() - before).isBetween(20L, 24L);
  }

  @Test
  void putGetDeleteWithVersions() {
    assertThat(client.put("rw:a", "1")).isEqualTo(1);
    assertThat(client.put("rw:a", "2")).isEqualTo(2);
    var got = client.get("rw:a").orElseThrow();
    assertThat(got.valueAsString()).isEqualTo("2");
    assertThat(got.version()).isEqualTo(2);
    assertThat(client.delete("rw:a")).isTrue();
    assertThat(client.get("rw:a")).isEmpty();
    assertThat(client.delete("rw:a")).isFalse();
  }

  @Test
  void conditionalWrites() {
    CasResult created = client.compareAndSet(utf8("rw:cas"), Condition.absent(), utf8("v1"));
    assertThat(created.succeeded()).isTrue();
    assertThat(created.version()).isEqualTo(1);
    CasResult again = client.compareAndSet(utf8("rw:cas"), Condition.absent(), utf8("v2"));
    assertThat(again.succeeded()).isFalse();
    assertThat(again.version()).isEqualTo(1);

    assertThat(client.compareAndSet(utf8("rw:cas"), Condition.versionEquals(7), utf8("x")).succeeded())
        .isFalse();
    assertThat(client.compareAndSet(utf8("rw:cas"), Condition.versionEquals(1), utf8("v2")).version())
        .isEqualTo(2);
    assertThat(client.compareAndSet(utf8("rw:cas"), Condition.valueEquals(utf8("v2")), null).succeeded())
        .isTrue();
    assertThat(client.get("rw:cas")).isEmpty();
  }

  @Test
  void aFollowerForwardsWritesAndLinearizableReads() {
    int follower = cluster.aFollower();
    String followerId = cluster.config(follower).nodeId().value();
    var stub = cluster.stub(follower);
    PutResponse put =
        stub.put(
            PutRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("rw:fwd"))
                .setValue(ByteString.copyFromUtf8("via follower"))
                .build());
    assertThat(put.getVersion()).isEqualTo(1);
    assertThat(put.getHeader().getServedBy()).isEqualTo(followerId);
    assertThat(put.getHeader().getGroupId()).isEqualTo("data-0");
    assertThat(put.getHeader().getIndex()).isPositive();

    // A linearizable read through the follower must see the write that was just acknowledged.
    GetResponse get =
        stub.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("rw:fwd")).build());
    assertThat(get.getFound()).isTrue();
    assertThat(get.getValue().toStringUtf8()).isEqualTo("via follower");
    assertThat(get.getHeader().getIndex()).isGreaterThanOrEqualTo(put.getHeader().getIndex());

    try (KvClient onlyFollower = cluster.client(List.of(cluster.endpoint(follower)))) {
      assertThat(onlyFollower.put("rw:fwd2", "x")).isEqualTo(1);
      assertThat(onlyFollower.get("rw:fwd2").orElseThrow().valueAsString()).isEqualTo("x");
    }
  }

  @Test
  void serializableReadsAreServedLocallyAndCatchUp() {
    client.put("rw:ser", "v");
    for (int i = 0; i < cluster.size(); i++) {
      var stub = cluster.stub(i);
      String served = cluster.config(i).nodeId().value();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                GetResponse r =
                    stub.get(
                        GetRequest.newBuilder()
                            .setKey(ByteString.copyFromUtf8("rw:ser"))
                            .setConsistency(Consistency.SERIALIZABLE)
                            .build());
                assertThat(r.getFound()).isTrue();
                assertThat(r.getHeader().getServedBy()).isEqualTo(served);
              });
    }
    assertThat(client.get(utf8("rw:ser"), ReadConsistency.SERIALIZABLE)).isPresent();
  }

  @Test
  void scanPagesThroughEveryKeyInHashOrder() {
    for (int i = 0; i < 35; i++) {
      client.put("scan:" + i, "v" + i);
    }
    Set<String> seen =
        client
            .scanAll(ScanOptions.builder().prefix(utf8("scan:")).limit(10).build())
            .map(kv -> new String(kv.key(), StandardCharsets.UTF_8))
            .collect(Collectors.toSet());
    assertThat(seen).hasSize(35).contains("scan:0", "scan:34");
  }

  @Test
  void concurrentWritesShareLogEntries() {
    int writes = 200;
    long before = client.put("batch:marker", "0");
    long firstIndex =
        cluster.stub(0).get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("batch:marker")).build())
            .getHeader().getIndex();
    List<java.util.concurrent.CompletableFuture<Long>> puts = new java.util.ArrayList<>();
    for (int i = 0; i < writes; i++) {
      puts.add(client.putAsync(utf8("batch:" + i), utf8("v")));
    }
    puts.forEach(java.util.concurrent.CompletableFuture::join);
    long lastIndex =
        cluster.stub(0).get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("batch:marker")).build())
            .getHeader().getIndex();
    assertThat(before).isEqualTo(1);
    // Group commit: far fewer log entries than writes (each entry is one Raft round).
    assertThat(lastIndex - firstIndex).isLessThan(writes / 2);
    for (int i = 0; i < writes; i += 17) {
      assertThat(client.get("batch:" + i)).isPresent();
    }
  }
}
