package dev.kv.server.backup;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.kv.api.placement.GroupId;
import dev.kv.api.v1.BackupRecord;
import dev.kv.api.v1.ExportChunk;
import dev.kv.api.v1.ExportEnd;
import dev.kv.api.v1.ExportRecords;
import dev.kv.api.v1.ExportStart;
import dev.kv.api.v1.HashRange;
import dev.kv.statemachine.apply.Applier;
import dev.kv.statemachine.apply.OwnedRanges;
import dev.kv.statemachine.proto.AppliedState;
import dev.kv.statemachine.proto.OwnedRange;
import dev.kv.statemachine.proto.Ownership;
import dev.kv.statemachine.storage.RocksDbStore;
import dev.kv.statemachine.storage.StorageKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.ratis.util.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group's export: reads a checkpoint of the group's database (see {@code backup.proto} for
 * why that is consistent at one log index) and hands it out as a start chunk, record chunks of
 * about {@link #CHUNK_BYTES} each, and an end chunk with the count and SHA-256 of the records as a
 * {@code .records} file lays them out. Owns the checkpoint folder and deletes it on close.
 *
 * <p>Not thread-safe: one gRPC call drives it, on that call's serialized executor.
 */
final class ExportStream implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExportStream.class);

  /** A record chunk ends once its keys and values reach this many bytes (at least one record). */
  static final int CHUNK_BYTES = 1 << 20;

  private final Path checkpoint;
  private final RocksDbStore store;
  private final Ownership ownership;
  private final ExportStart start;
  private final MessageDigest sha256;
  private final DigestOutputStream digest;
  private ByteString after = ByteString.EMPTY;
  private boolean startSent;
  private boolean scanDone;
  private boolean endSent;
  private boolean closed;
  private long records;
  private long bytes;

  private ExportStream(Path checkpoint, RocksDbStore store, GroupId group, String servedBy) {
    this.checkpoint = checkpoint;
    this.store = store;
    AppliedState applied = store.appliedState();
    this.ownership = Applier.ownershipOf(applied, OwnedRanges.NOTHING);
    ExportStart.Builder start =
        ExportStart.newBuilder()
            .setGroupId(group.value())
            .setAppliedIndex(applied.getIndex())
            .setOwnershipEpoch(ownership.getEpoch())
            .setServedBy(servedBy);
    for (OwnedRange r : ownership.getRangesList()) {
      start.addRanges(HashRange.newBuilder().setStart(r.getStart()).setEnd(r.getEnd()));
    }
    this.start = start.build();
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    this.digest = new DigestOutputStream(OutputStream.nullOutputStream(), sha256);
  }

  /** Opens the checkpoint in {@code checkpoint}; deletes it when that fails. */
  static ExportStream open(Path checkpoint, GroupId group, String servedBy) {
    RocksDbStore store;
    try {
      store = RocksDbStore.openReadOnly(checkpoint);
    } catch (RuntimeException e) {
      deleteQuietly(checkpoint);
      throw e;
    }
    return new ExportStream(checkpoint, store, group, servedBy);
  }

  ExportStart start() {
    return start;
  }

  /** The next chunk, or null once the end chunk was handed out (or the stream was closed). */
  ExportChunk next() {
    if (closed) {
      return null;
    }
    if (!startSent) {
      startSent = true;
      return ExportChunk.newBuilder().setStart(start).build();
    }
    if (!scanDone) {
      ExportRecords.Builder chunk = ExportRecords.newBuilder();
      long[] chunkBytes = {0};
      boolean[] full = {false};
      store.scan(after, (storageKey, value) -> {
        after = storageKey;
        if (!OwnedRanges.owns(ownership, StorageKeys.hash(storageKey))) {
          return true; // not the group's: a stale leftover no read would ever return
        }
        BackupRecord record =
            BackupRecord.newBuilder()
                .setKey(StorageKeys.userKey(storageKey))
                .setValue(value.getValue())
                .setVersion(value.getVersion())
                .build();
        add(record);
        chunk.addRecords(record);
        chunkBytes[0] += record.getKey().size() + record.getValue().size();
        full[0] = chunkBytes[0] >= CHUNK_BYTES;
        return !full[0];
      });
      scanDone = !full[0];
      if (chunk.getRecordsCount() > 0) {
        return ExportChunk.newBuilder().setRecords(chunk).build();
      }
    }
    if (!endSent) {
      endSent = true;
      return ExportChunk.newBuilder()
          .setEnd(
              ExportEnd.newBuilder()
                  .setRecords(records)
                  .setBytes(bytes)
                  .setSha256(HexFormat.of().formatHex(sha256.digest())))
          .build();
    }
    return null;
  }

  private void add(BackupRecord record) {
    int size = record.getSerializedSize();
    try {
      record.writeDelimitedTo(digest);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a null stream", e);
    }
    records++;
    bytes += CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      store.close();
    } finally {
      deleteQuietly(checkpoint);
    }
  }

  static void deleteQuietly(Path dir) {
    try {
      FileUtils.deleteFully(dir);
    } catch (IOException e) {
      LOG.warn("cannot delete the export checkpoint {}", dir, e);
    }
  }
}
