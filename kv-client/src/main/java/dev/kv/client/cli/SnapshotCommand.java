package dev.kv.client.cli;

import com.google.protobuf.CodedOutputStream;
import dev.kv.api.v1.BackupManifest;
import dev.kv.api.v1.BackupRecord;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.ClusterStatus;
import dev.kv.api.v1.ExportChunk;
import dev.kv.api.v1.ExportEnd;
import dev.kv.api.v1.ExportGroupRequest;
import dev.kv.api.v1.ExportStart;
import dev.kv.api.v1.GetStatusRequest;
import dev.kv.api.v1.GroupBackup;
import dev.kv.api.v1.GroupReplicas;
import dev.kv.api.v1.HashRange;
import dev.kv.api.v1.NodeInfo;
import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.Placement;
import dev.kv.api.v1.RangeAssignment;
import dev.kv.api.v1.ReplicaStatus;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code kvctl snapshot DIR}: a backup of every data group into a new folder. Each group is
 * exported by one of its replicas (its leader first) as of one point of its log, streamed to a
 * file record by record, and checked against the count and SHA-256 the serving node computed; the
 * manifest is written last. See backup.proto for the layout and the consistency rule.
 */
@Command(
    name = "snapshot",
    description = {
      "Backs up every data group into DIR (a new or empty folder): per group, a consistent copy as"
          + " of one point of its Raft log, and a manifest with checksums. Progress on stderr.",
      "Exit 0 done, 2 DIR unusable, 3 a group could not be exported (DIR then has no manifest)."
    })
final class SnapshotCommand implements Callable<Integer> {
  /** The largest export chunk kvctl accepts: a chunk is about 1 MiB plus at most one record. */
  static final int MAX_CHUNK_BYTES = 64 << 20;

  @ParentCommand Kvctl kvctl;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "A new or empty folder.")
  Path dir;

  LongSupplier nanoTime = System::nanoTime;

  /** A transfer that arrived incomplete or altered: another replica may do better. */
  private static final class TransferException extends Exception {
    private static final long serialVersionUID = 1L;

    TransferException(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() throws IOException {
    checkTarget();
    PrintWriter err = spec.commandLine().getErr();
    ClusterStatus status;
    try {
      status = AdminCommands.call(kvctl, s -> s.getStatus(GetStatusRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      return AdminCommands.failed(err, e);
    }
    Placement placement = status.getPlacement();
    List<GroupReplicas> groups = dataGroups(placement);
    Files.createDirectories(dir);
    Progress progress = new Progress(err, "snapshot", groups.size(), nanoTime);
    BackupManifest.Builder manifest =
        BackupManifest.newBuilder()
            .setFormatVersion(BackupFolder.FORMAT_VERSION)
            .setPlacementEpoch(placement.getEpoch());
    List<HashRange> exported = new ArrayList<>();
    for (GroupReplicas group : groups) {
      GroupBackup backup;
      try {
        backup = exportFromAnyReplica(group, candidates(status, group), progress);
      } catch (TransferException e) {
        err.println("kvctl: " + e.getMessage());
        err.println("kvctl: the backup in " + dir + " is incomplete (no manifest); run it again");
        return ExitCodes.SERVICE_ERROR;
      }
      manifest.addGroups(backup);
      exported.addAll(backup.getRangesList());
      progress.groupDone(group.getGroupId());
    }
    String coverage = BackupFolder.coverageProblem(exported);
    if (coverage != null) {
      err.println("kvctl: the exported groups' ranges " + coverage + ": the placement changed"
          + " during the backup; run it again into a new folder");
      return ExitCodes.SERVICE_ERROR;
    }
    manifest.setCreatedAt(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    BackupFolder.writeManifest(dir, manifest.build());
    spec.commandLine().getOut().printf(
        "backup of %d groups, %d records (%s of files), placement epoch %d, in %s%n",
        groups.size(), progress.records(), Progress.size(progress.bytes()), placement.getEpoch(),
        dir);
    return ExitCodes.OK;
  }

  private void checkTarget() throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw new ParameterException(spec.commandLine(), dir + " is a file; a backup goes into a new"
          + " or empty folder");
    }
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        throw new ParameterException(spec.commandLine(), dir + " is not empty; a backup goes into"
            + " a new or empty folder");
      }
    }
  }

  /** The groups that own ranges (not the meta group), in ring order. */
  static List<GroupReplicas> dataGroups(Placement placement) {
    Map<String, Long> firstStart = placement.getRangesList().stream()
        .collect(Collectors.toMap(RangeAssignment::getGroupId, RangeAssignment::getStart,
            (a, b) -> Long.compareUnsigned(a, b) <= 0 ? a : b));
    return placement.getGroupsList().stream()
        .filter(g -> firstStart.containsKey(g.getGroupId()))
        .sorted(Comparator.comparing(g -> firstStart.get(g.getGroupId()), Long::compareUnsigned))
        .toList();
  }

  /** API addresses of the group's replicas: the one that reports itself leader first. */
  static List<String> candidates(ClusterStatus status, GroupReplicas group) {
    Set<String> nodes = new LinkedHashSet<>();
    for (NodeStatus node : status.getNodesList()) {
      for (ReplicaStatus r : node.getReplicasList()) {
        if (r.getGroupId().equals(group.getGroupId()) && r.getRole().equals("LEADER")) {
          nodes.add(node.getNodeId());
        }
      }
    }
    if (!group.getLeaderHint().isEmpty()) {
      nodes.add(group.getLeaderHint());
    }
    nodes.addAll(group.getReplicasList());
    List<String> addresses = new ArrayList<>();
    for (String node : nodes) {
      for (NodeInfo info : status.getPlacement().getNodesList()) {
        if (info.getNodeId().equals(node) && group.getReplicasList().contains(node)) {
          addresses.add(info.getApiAddress());
        }
      }
    }
    return addresses;
  }

  private GroupBackup exportFromAnyReplica(
      GroupReplicas group, List<String> endpoints, Progress progress) throws TransferException {
    List<String> failures = new ArrayList<>();
    for (String endpoint : endpoints) {
      try {
        return export(group.getGroupId(), endpoint, progress);
      } catch (StatusRuntimeException e) {
        failures.add(endpoint + ": " + e.getStatus().getCode() + ": "
            + e.getStatus().getDescription());
      } catch (TransferException | IOException e) {
        failures.add(endpoint + ": " + e.getMessage());
      }
    }
    throw new TransferException("no replica of " + group.getGroupId() + " could export it: "
        + String.join("; ", failures));
  }

  /** One export from one node into the group's file; the file is complete or absent. */
  private GroupBackup export(String groupId, String endpoint, Progress progress)
      throws IOException, TransferException {
    Path file = BackupFolder.recordsFile(dir, groupId);
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    MessageDigest sha256 = BackupFolder.sha256();
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget(endpoint)
            .usePlaintext()
            .maxInboundMessageSize(MAX_CHUNK_BYTES)
            .build();
    long records = 0;
    long bytes = 0;
    try (OutputStream out =
        new DigestOutputStream(
            new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16), sha256)) {
      // No deadline: a large group streams for as long as it takes.
      Iterator<ExportChunk> chunks = ClusterGrpc.newBlockingStub(channel)
          .exportGroup(ExportGroupRequest.newBuilder().setGroupId(groupId).build());
      if (!chunks.hasNext()) {
        throw new TransferException(endpoint + " ended the export of " + groupId + " at once");
      }
      ExportChunk first = chunks.next();
      if (!first.hasStart()) {
        throw new TransferException(endpoint + " began the export of " + groupId + " without"
            + " its start");
      }
      ExportStart start = first.getStart();
      ExportEnd end = null;
      while (end == null && chunks.hasNext()) {
        ExportChunk chunk = chunks.next();
        if (chunk.hasEnd()) {
          end = chunk.getEnd();
          continue;
        }
        long chunkBytes = 0;
        for (BackupRecord record : chunk.getRecords().getRecordsList()) {
          record.writeDelimitedTo(out);
          int size = record.getSerializedSize();
          chunkBytes += CodedOutputStream.computeUInt32SizeNoTag(size) + size;
        }
        records += chunk.getRecords().getRecordsCount();
        bytes += chunkBytes;
        progress.add(groupId, chunk.getRecords().getRecordsCount(), chunkBytes);
      }
      out.flush();
      String digest = HexFormat.of().formatHex(sha256.digest());
      if (end == null) {
        throw new TransferException(endpoint + " ended the export of " + groupId
            + " without its end (" + records + " records received)");
      }
      if (end.getRecords() != records || end.getBytes() != bytes || !end.getSha256().equals(digest)) {
        throw new TransferException("the export of " + groupId + " from " + endpoint
            + " arrived altered: " + records + " records, " + bytes + " bytes, SHA-256 " + digest
            + "; the node sent " + end.getRecords() + ", " + end.getBytes() + ", "
            + end.getSha256());
      }
      out.close();
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
      return GroupBackup.newBuilder()
          .setGroupId(groupId)
          .setFile(file.getFileName().toString())
          .setAppliedIndex(start.getAppliedIndex())
          .addAllRanges(start.getRangesList())
          .setOwnershipEpoch(start.getOwnershipEpoch())
          .setRecords(records)
          .setBytes(bytes)
          .setSha256(digest)
          .setServedBy(start.getServedBy())
          .build();
    } catch (IOException | TransferException | RuntimeException e) {
      progress.add(groupId, -records, -bytes);
      Files.deleteIfExists(partial);
      throw e;
    } finally {
      channel.shutdownNow();
    }
  }
}
