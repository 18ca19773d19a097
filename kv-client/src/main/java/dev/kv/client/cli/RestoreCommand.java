package dev.kv.client.cli;

import com.google.protobuf.CodedOutputStream;
import dev.kv.api.v1.BackupManifest;
import dev.kv.api.v1.BackupRecord;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.GroupBackup;
import dev.kv.api.v1.ImportRecordsRequest;
import dev.kv.api.v1.ImportRecordsResponse;
import dev.kv.client.KeyValue;
import dev.kv.client.KvClient;
import dev.kv.client.ScanOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code kvctl restore DIR}: writes a backup back into a cluster. The whole backup is verified
 * first (manifest, every record, every checksum), so a damaged backup writes nothing; a cluster
 * that holds any key is refused unless {@code --force}. Records go in batches through any node,
 * which routes each by hash: the target may have any number of groups. Versions are kept (see
 * ImportRecordsRequest in backup.proto).
 */
@Command(
    name = "restore",
    description = {
      "Restores a backup made by 'kvctl snapshot' into the cluster: verifies every checksum"
          + " first, refuses a cluster that holds data unless --force, keeps each key's version."
          + " The target may have any number of groups. Progress on stderr.",
      "Exit 0 done, 1 the cluster is not empty, 2 the backup is missing or damaged (nothing was"
          + " written), 3 a server or connection error (some records may be written; running the"
          + " same restore again with --force completes it)."
    })
final class RestoreCommand implements Callable<Integer> {
  /** Records per ImportRecords request, well under the server's limit of 10000. */
  static final int BATCH_RECORDS = 1000;
  /** Bytes per request, well under a node's message limit (a larger record goes alone). */
  static final int BATCH_BYTES = 512 << 10;
  /** Attempts per request while nodes answer UNAVAILABLE or time out (a leader change). */
  static final int MAX_ATTEMPTS = 10;

  @ParentCommand Kvctl kvctl;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "A folder 'kvctl snapshot' wrote.")
  Path dir;

  @Option(names = "--force", description = "Restore into a cluster that already holds keys:"
      + " backup records overwrite them (no version goes backwards); other keys stay.")
  boolean force;

  LongSupplier nanoTime = System::nanoTime;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    BackupManifest manifest;
    try {
      manifest = BackupFolder.readManifest(dir);
      Progress verified = new Progress(err, "verify", manifest.getGroupsCount(), nanoTime);
      BackupFolder.verify(dir, manifest, g -> {
        verified.add(g.getGroupId(), g.getRecords(), g.getBytes());
        verified.groupDone(g.getGroupId());
      });
    } catch (BackupFolder.BackupException e) {
      err.println("kvctl: the backup cannot be restored, nothing was written: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    try (KvClient client = kvctl.openClient()) {
      Optional<KeyValue> any =
          client.scanAll(ScanOptions.builder().limit(1).keysOnly(true).build()).findFirst();
      if (any.isPresent() && !force) {
        err.println("kvctl: the target cluster is not empty (it holds '"
            + new String(any.get().key(), StandardCharsets.UTF_8) + "'); restore writes into an"
            + " empty cluster only. --force merges the backup into it: its records overwrite"
            + " existing keys (no version goes backwards) and other keys stay");
        return ExitCodes.NOT_FOUND_OR_CONDITION_FAILED;
      }
    }
    Progress progress = new Progress(err, "restore", manifest.getGroupsCount(), nanoTime);
    Importer importer = new Importer(kvctl.resolveEndpoints(), kvctl.timeout, err);
    try {
      for (GroupBackup group : manifest.getGroupsList()) {
        Batch batch = new Batch();
        BackupFolder.readRecords(dir, group, record -> {
          if (!batch.fits(record)) {
            importer.send(batch.take(), group.getGroupId(), progress);
          }
          batch.add(record);
        });
        importer.send(batch.take(), group.getGroupId(), progress);
        progress.groupDone(group.getGroupId());
      }
    } catch (StatusRuntimeException e) {
      err.println("kvctl: the restore stopped after " + progress.records() + " records: "
          + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      err.println("kvctl: the records written so far stay; 'kvctl restore --force " + dir
          + "' again completes it");
      return ExitCodes.SERVICE_ERROR;
    } catch (BackupFolder.BackupException e) {
      // Verified above: the backup changed while it was being restored.
      err.println("kvctl: the restore stopped after " + progress.records() + " records: "
          + e.getMessage());
      return ExitCodes.USAGE;
    } finally {
      importer.close();
    }
    spec.commandLine().getOut().printf(
        "restored %d records (%d written, %d unchanged) of %d groups from %s (placement epoch %d,"
            + " %s)%n",
        importer.written + importer.unchanged, importer.written, importer.unchanged,
        manifest.getGroupsCount(), dir, manifest.getPlacementEpoch(), manifest.getCreatedAt());
    return ExitCodes.OK;
  }

  /** Records for one request, bounded by count and bytes. */
  private static final class Batch {
    private final List<BackupRecord> records = new ArrayList<>();
    private long bytes;

    boolean fits(BackupRecord record) {
      return records.isEmpty()
          || (records.size() < BATCH_RECORDS && bytes + size(record) <= BATCH_BYTES);
    }

    void add(BackupRecord record) {
      records.add(record);
      bytes += size(record);
    }

    List<BackupRecord> take() {
      List<BackupRecord> taken = List.copyOf(records);
      records.clear();
      bytes = 0;
      return taken;
    }

    static long size(BackupRecord record) {
      int size = record.getSerializedSize();
      return CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }
  }

  /** Sends batches to one node at a time, moving on to the next when a node does not serve. */
  private static final class Importer implements AutoCloseable {
    private final List<String> endpoints;
    private final Duration timeout;
    private final PrintWriter err;
    private final ManagedChannel[] channels;
    private int current;
    long written;
    long unchanged;

    Importer(List<String> endpoints, Duration timeout, PrintWriter err) {
      this.endpoints = endpoints;
      this.timeout = timeout;
      this.err = err;
      this.channels = new ManagedChannel[endpoints.size()];
    }

    void send(List<BackupRecord> records, String group, Progress progress) {
      if (records.isEmpty()) {
        return;
      }
      ImportRecordsRequest request = ImportRecordsRequest.newBuilder().addAllRecords(records).build();
      for (int attempt = 1; ; attempt++) {
        try {
          ImportRecordsResponse reply = ClusterGrpc.newBlockingStub(channel())
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .importRecords(request);
          written += reply.getWritten();
          unchanged += reply.getUnchanged();
          long bytes = records.stream().mapToLong(Batch::size).sum();
          progress.add(group, records.size(), bytes);
          return;
        } catch (StatusRuntimeException e) {
          Status.Code code = e.getStatus().getCode();
          boolean retryable = code == Status.Code.UNAVAILABLE
              || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.ABORTED;
          if (!retryable || attempt >= MAX_ATTEMPTS) {
            throw e;
          }
          err.println("restore: " + endpoints.get(current) + " answered " + code + " ("
              + e.getStatus().getDescription() + "); retrying (attempt " + (attempt + 1) + " of "
              + MAX_ATTEMPTS + ")");
          if (code == Status.Code.UNAVAILABLE) {
            current = (current + 1) % endpoints.size();
          }
          pause(attempt);
        }
      }
    }

    private ManagedChannel channel() {
      if (channels[current] == null) {
        channels[current] =
            ManagedChannelBuilder.forTarget(endpoints.get(current)).usePlaintext().build();
      }
      return channels[current];
    }

    /** Retry pacing: 100 ms, doubling up to 2 s, while a group elects a leader. */
    private static void pause(int attempt) {
      try {
        Thread.sleep(Math.min(2000, 100L << Math.min(attempt - 1, 5)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
      }
    }

    @Override
    public void close() {
      for (ManagedChannel c : channels) {
        if (c != null) {
          c.shutdownNow();
        }
      }
    }
  }
}
