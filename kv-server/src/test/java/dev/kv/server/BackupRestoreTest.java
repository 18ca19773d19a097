package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import dev.kv.api.KeyHash;
import dev.kv.api.v1.BackupManifest;
import dev.kv.api.v1.BackupRecord;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.ExportChunk;
import dev.kv.api.v1.ExportGroupRequest;
import dev.kv.api.v1.GroupBackup;
import dev.kv.api.v1.ImportRecordsRequest;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.PutResponse;
import dev.kv.client.KeyValue;
import dev.kv.client.KvClient;
import dev.kv.client.ScanOptions;
import dev.kv.client.cli.Kvctl;
import dev.kv.server.backup.GroupExporter;
import dev.kv.server.backup.RecordImporter;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.config.RaftLogSettings;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kvctl snapshot and restore between real clusters, and the limits of the RPCs behind them. */
class BackupRestoreTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private record Stored(String value, long version) {}

  private static Run kvctl(TestCluster cluster, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--endpoints", String.join(",", cluster.endpoints())));
    all.addAll(List.of(args));
    int code = new picocli.CommandLine(new Kvctl())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Stored> contents(TestCluster cluster) {
    Map<String, Stored> all = new TreeMap<>();
    try (KvClient client = cluster.client()) {
      client.scanAll(ScanOptions.builder().limit(500).build()).forEach((KeyValue kv) ->
          all.put(kv.keyAsString(), new Stored(kv.valueAsString(), kv.version())));
    }
    return all;
  }

  private static ClusterGrpc.ClusterBlockingStub cluster(TestCluster cluster, int node) {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(cluster.endpoint(node)).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
    cluster.track(channel);
    return ClusterGrpc.newBlockingStub(channel);
  }

  private static BackupManifest manifest(Path backup) throws IOException {
    BackupManifest.Builder m = BackupManifest.newBuilder();
    JsonFormat.parser().merge(Files.readString(backup.resolve("manifest.json")), m);
    return m.build();
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  @Test
  void aBackupOfEveryGroupRestoresKeysValuesAndVersionsIntoAClusterOfAnotherShape()
      throws Exception {
    Path backup = dir.resolve("backup");
    Map<String, Stored> expected;
    Map<String, Long> acknowledgedIndex = new HashMap<>();
    try (TestCluster a = TestCluster.start(dir.resolve("a"), 3, RaftLogSettings.DEFAULTS,
            new ClusterSettings(4, 3, Duration.ofMinutes(5)));
        KvClient client = a.client()) {
      for (int i = 0; i < 300; i++) {
        client.put("key-" + i, "value-" + i);
        if (i % 3 == 0) {
          client.put("key-" + i, "again-" + i);
          client.put("key-" + i, "third-" + i);
        }
        if (i % 10 == 1) {
          client.delete(b("key-" + i));
        }
      }
      // Large values in the first group (hash < 2^62 of 4 equal ranges): several export chunks.
      String big = "x".repeat(400 << 10);
      int bigs = 0;
      for (int i = 0; bigs < 4; i++) {
        if (Long.compareUnsigned(KeyHash.of(b("big-" + i)), 1L << 62) < 0) {
          client.put("big-" + i, big + i);
          bigs++;
        }
      }
      // One acknowledged write per group with its log index: each export must include it.
      for (int i = 0; acknowledgedIndex.size() < 4; i++) {
        PutResponse reply = a.stub(i % 3).put(PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("marker-" + i))
            .setValue(ByteString.copyFromUtf8("m")).build());
        acknowledgedIndex.merge(reply.getHeader().getGroupId(), reply.getHeader().getIndex(),
            Math::max);
      }
      expected = contents(a);

      Run snapshot = kvctl(a, "snapshot", backup.toString());

      assertThat(snapshot.code()).as(snapshot.err()).isZero();
      assertThat(snapshot.out()).startsWith("backup of 4 groups, " + expected.size() + " records");
      assertThat(snapshot.err()).contains("snapshot: 4/4 groups");
      BackupManifest manifest = manifest(backup);
      assertThat(manifest.getGroupsList()).extracting(GroupBackup::getGroupId)
          .containsExactly("data-0", "data-1", "data-2", "data-3");
      assertThat(manifest.getGroupsList().stream().mapToLong(GroupBackup::getRecords).sum())
          .isEqualTo(expected.size());
      for (GroupBackup g : manifest.getGroupsList()) {
        assertThat(g.getRecords()).as(g.getGroupId()).isPositive();
        assertThat(g.getAppliedIndex()).as(g.getGroupId())
            .isGreaterThanOrEqualTo(acknowledgedIndex.get(g.getGroupId()));
      }
      // More than one export chunk (1 MiB each) for the first group.
      assertThat(manifest.getGroups(0).getBytes()).isGreaterThan(1 << 20);
      // A second snapshot into a folder that is not empty is refused before anything is read.
      Run again = kvctl(a, "snapshot", backup.toString());
      assertThat(again.code()).isEqualTo(2);
      assertThat(again.err()).contains(backup + " is not empty");
      assertThat(a.fatalErrors).isEmpty();
    }

    try (TestCluster b = TestCluster.start(dir.resolve("b"), 3, RaftLogSettings.DEFAULTS,
        new ClusterSettings(2, 3, Duration.ofMinutes(5)))) {
      // A damaged backup is refused whole: nothing is written.
      Path corrupt = dir.resolve("corrupt");
      copy(backup, corrupt);
      Path file = corrupt.resolve("data-2.records");
      byte[] bytes = Files.readAllBytes(file);
      int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("value-");
      bytes[at] = 'V';
      Files.write(file, bytes);
      Run damaged = kvctl(b, "restore", corrupt.toString());
      assertThat(damaged.code()).isEqualTo(2);
      assertThat(damaged.err()).contains("the backup cannot be restored, nothing was written: "
          + file + " does not match its checksum");
      Path unfinished = dir.resolve("unfinished");
      copy(backup, unfinished);
      Files.delete(unfinished.resolve("manifest.json"));
      Run noManifest = kvctl(b, "restore", unfinished.toString());
      assertThat(noManifest.code()).isEqualTo(2);
      assertThat(noManifest.err()).contains("manifest.json is missing");
      assertThat(contents(b)).isEmpty();

      Run restore = kvctl(b, "restore", backup.toString());

      assertThat(restore.code()).as(restore.err()).isZero();
      assertThat(restore.out()).startsWith("restored " + expected.size() + " records ("
          + expected.size() + " written, 0 unchanged) of 4 groups");
      assertThat(restore.err()).contains("verify: 4/4 groups", "restore: 4/4 groups");
      assertThat(contents(b)).isEqualTo(expected);

      // Into a cluster that holds data only with --force; then every record is already there.
      Run refused = kvctl(b, "restore", backup.toString());
      assertThat(refused.code()).isEqualTo(1);
      assertThat(refused.err()).contains("the target cluster is not empty", "--force");
      Run forced = kvctl(b, "restore", "--force", backup.toString());
      assertThat(forced.code()).as(forced.err()).isZero();
      assertThat(forced.out()).contains("(0 written, " + expected.size() + " unchanged)");
      assertThat(contents(b)).isEqualTo(expected);
      try (KvClient client = b.client()) {
        assertThat(client.put("key-0", "after")).isEqualTo(expected.get("key-0").version() + 1);
      }
      assertThat(b.fatalErrors).isEmpty();
    }
  }

  @Test
  void theExportAndImportRpcsEnforceTheirLimitsAndRefuseBadRequests() {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      int leader = cluster.awaitLeader();
      try (KvClient client = cluster.client()) {
        String value = "y".repeat(600 << 10);
        for (int i = 0; i < 6; i++) {
          client.put("large-" + i, value);
        }
      }
      var stub = cluster(cluster, leader);
      ExportGroupRequest data0 = ExportGroupRequest.newBuilder().setGroupId("data-0").build();

      // Exports that the client does not read hold their place until cancelled.
      List<ManagedChannel> open = new ArrayList<>();
      for (int i = 0; i < GroupExporter.MAX_CONCURRENT_EXPORTS; i++) {
        ManagedChannel channel =
            ManagedChannelBuilder.forTarget(cluster.endpoint(leader)).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        open.add(channel);
        Iterator<ExportChunk> chunks = ClusterGrpc.newBlockingStub(channel).exportGroup(data0);
        assertThat(chunks.next().hasStart()).isTrue();
      }
      assertThatThrownBy(() -> stub.exportGroup(data0).next())
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("the limit is 4");
          });
      open.forEach(ManagedChannel::shutdownNow);
      Path exports = cluster.config(leader).dataDir().resolve("exports");
      await("cancelled exports to release their places and checkpoints")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> exportsLeft(exports) == 0);
      long records = 0;
      for (Iterator<ExportChunk> it = stub.exportGroup(data0); it.hasNext(); ) {
        ExportChunk chunk = it.next();
        assertThat(chunk.getSerializedSize()).isLessThan(2 << 20);
        records += chunk.getRecords().getRecordsCount();
      }
      assertThat(records).isEqualTo(6);

      assertCode(() -> stub.exportGroup(ExportGroupRequest.newBuilder().setGroupId("meta").build())
          .next(), Status.Code.INVALID_ARGUMENT, "the meta group is not exported");
      assertCode(() -> stub.exportGroup(ExportGroupRequest.newBuilder().setGroupId("data-7").build())
          .next(), Status.Code.NOT_FOUND, "no group data-7");
      assertCode(() -> stub.exportGroup(ExportGroupRequest.newBuilder().setGroupId("Bad!").build())
          .next(), Status.Code.INVALID_ARGUMENT, "group id 'Bad!' is invalid");

      ImportRecordsRequest.Builder tooMany = ImportRecordsRequest.newBuilder();
      for (int i = 0; i <= RecordImporter.MAX_RECORDS_PER_REQUEST; i++) {
        tooMany.addRecords(record("many-" + i, 1));
      }
      assertCode(() -> stub.importRecords(tooMany.build()), Status.Code.INVALID_ARGUMENT,
          "the request carries 10001 records; the limit is 10000");
      assertCode(() -> stub.importRecords(ImportRecordsRequest.newBuilder()
              .addRecords(record("fine", 1)).addRecords(record("unversioned", 0)).build()),
          Status.Code.INVALID_ARGUMENT, "record 1: version is 0; a record's version must be >= 1;"
              + " nothing of this request was written");
      assertCode(() -> stub.importRecords(ImportRecordsRequest.newBuilder()
              .addRecords(record("k".repeat(5000), 1)).build()),
          Status.Code.INVALID_ARGUMENT, "record 0: key is 5000 bytes; the limit is 4096");
      try (KvClient client = cluster.client()) {
        assertThat(client.get("fine")).isEmpty();
        assertThat(client.get("many-0")).isEmpty();
      }
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }

  private static long exportsLeft(Path exports) throws IOException {
    if (!Files.exists(exports)) {
      return 0;
    }
    try (Stream<Path> left = Files.list(exports)) {
      return left.count();
    }
  }

  private static BackupRecord record(String key, long version) {
    return BackupRecord.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8("v")).setVersion(version).build();
  }

  private static void assertCode(Runnable call, Status.Code code, String message) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(message);
    });
  }
}
