package dev.kv.statemachine.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.kv.statemachine.proto.AppliedState;
import dev.kv.statemachine.proto.ClientSession;
import dev.kv.statemachine.proto.StoredValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A {@link KvStore} on an embedded RocksDB database with three column families: {@code default}
 * for user data (storage key -> {@link StoredValue}), {@code sessions} for client idempotency
 * records, {@code meta} for the {@link AppliedState}. One commit is one WriteBatch across them.
 *
 * <p>The WAL is written but not fsynced per commit: the Raft log is the durable record, and after
 * a crash the applied state read back here tells Ratis where to resume replay. Checkpoints flush
 * the memtables, so the state at a snapshot is always on disk before the log behind it is purged.
 */
public final class RocksDbStore implements KvStore {
  private static final byte[] SESSIONS_CF = "sessions".getBytes(StandardCharsets.UTF_8);
  private static final byte[] META_CF = "meta".getBytes(StandardCharsets.UTF_8);
  private static final byte[] APPLIED_KEY = "applied".getBytes(StandardCharsets.UTF_8);

  private final Path dir;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final WriteOptions writeOptions;
  private final RocksDB db;
  private final ColumnFamilyHandle data;
  private final ColumnFamilyHandle sessions;
  private final ColumnFamilyHandle meta;
  private final boolean readOnly;
  private volatile AppliedState applied;

  private RocksDbStore(
      Path dir,
      DBOptions dbOptions,
      ColumnFamilyOptions cfOptions,
      RocksDB db,
      List<ColumnFamilyHandle> handles,
      boolean readOnly) {
    this.readOnly = readOnly;
    this.dir = dir;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.writeOptions = new WriteOptions();
    this.db = db;
    this.data = handles.get(0);
    this.sessions = handles.get(1);
    this.meta = handles.get(2);
    this.applied = readApplied();
  }

  /** Opens (creating if needed) the database in {@code dir}. */
  public static RocksDbStore open(Path dir, RocksDbResources shared) {
    DBOptions dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setWriteBufferManager(shared.writeBufferManager())
            .setMaxBackgroundJobs(shared.backgroundJobs())
            .setKeepLogFileNum(3);
    shared.statistics().ifPresent(dbOptions::setStatistics);
    ColumnFamilyOptions cfOptions =
        new ColumnFamilyOptions()
            .setTableFormatConfig(
                new BlockBasedTableConfig()
                    .setBlockCache(shared.blockCache())
                    .setFilterPolicy(new BloomFilter(10)));
    List<ColumnFamilyDescriptor> descriptors =
        List.of(
            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
            new ColumnFamilyDescriptor(SESSIONS_CF, cfOptions),
            new ColumnFamilyDescriptor(META_CF, cfOptions));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
      return new RocksDbStore(dir, dbOptions, cfOptions, db, handles, false);
    } catch (RocksDBException | java.io.IOException e) {
      handles.forEach(ColumnFamilyHandle::close);
      cfOptions.close();
      dbOptions.close();
      throw new StorageException("cannot open RocksDB in " + dir, e);
    }
  }

  /**
   * Opens a {@link #checkpoint} (or a database no one else has open) read-only, with options of
   * its own: for reading a copy while the live database goes on. {@link #commit} fails on it.
   */
  public static RocksDbStore openReadOnly(Path dir) {
    DBOptions dbOptions = new DBOptions();
    ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
    List<ColumnFamilyDescriptor> descriptors =
        List.of(
            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
            new ColumnFamilyDescriptor(SESSIONS_CF, cfOptions),
            new ColumnFamilyDescriptor(META_CF, cfOptions));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db = RocksDB.openReadOnly(dbOptions, dir.toString(), descriptors, handles);
      return new RocksDbStore(dir, dbOptions, cfOptions, db, handles, true);
    } catch (RocksDBException e) {
      handles.forEach(ColumnFamilyHandle::close);
      cfOptions.close();
      dbOptions.close();
      throw new StorageException("cannot open RocksDB in " + dir + " read-only", e);
    }
  }

  @Override
  public AppliedState appliedState() {
    return applied;
  }

  private AppliedState readApplied() {
    byte[] bytes = getRaw(meta, APPLIED_KEY);
    return bytes == null ? AppliedState.getDefaultInstance() : parse(AppliedState.parser(), bytes);
  }

  @Override
  public Optional<StoredValue> get(ByteString storageKey) {
    byte[] bytes = getRaw(data, storageKey.toByteArray());
    return bytes == null ? Optional.empty() : Optional.of(parse(StoredValue.parser(), bytes));
  }

  @Override
  public Optional<ClientSession> session(ByteString clientId) {
    byte[] bytes = getRaw(sessions, clientId.toByteArray());
    return bytes == null ? Optional.empty() : Optional.of(parse(ClientSession.parser(), bytes));
  }

  @Override
  public void forEachSession(BiConsumer<ByteString, ClientSession> visitor) {
    try (RocksIterator it = db.newIterator(sessions)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        visitor.accept(ByteString.copyFrom(it.key()), parse(ClientSession.parser(), it.value()));
      }
      checkIterator(it);
    }
  }

  @Override
  public void scan(ByteString after, ScanVisitor visitor) {
    Snapshot snapshot = db.getSnapshot();
    try (ReadOptions options = new ReadOptions().setSnapshot(snapshot);
        RocksIterator it = db.newIterator(data, options)) {
      if (after.isEmpty()) {
        it.seekToFirst();
      } else {
        it.seek(after.toByteArray());
        if (it.isValid() && ByteString.copyFrom(it.key()).equals(after)) {
          it.next();
        }
      }
      for (; it.isValid(); it.next()) {
        if (!visitor.visit(ByteString.copyFrom(it.key()), parse(StoredValue.parser(), it.value()))) {
          return;
        }
      }
      checkIterator(it);
    } finally {
      db.releaseSnapshot(snapshot);
    }
  }

  @Override
  public void commit(WriteSet writes) {
    try (WriteBatch batch = new WriteBatch()) {
      for (Map.Entry<ByteString, Optional<StoredValue>> e : writes.data().entrySet()) {
        byte[] key = e.getKey().toByteArray();
        if (e.getValue().isPresent()) {
          batch.put(data, key, e.getValue().get().toByteArray());
        } else {
          batch.delete(data, key);
        }
      }
      for (Map.Entry<ByteString, Optional<ClientSession>> e : writes.sessions().entrySet()) {
        byte[] key = e.getKey().toByteArray();
        if (e.getValue().isPresent()) {
          batch.put(sessions, key, e.getValue().get().toByteArray());
        } else {
          batch.delete(sessions, key);
        }
      }
      batch.put(meta, APPLIED_KEY, writes.applied().toByteArray());
      db.write(writeOptions, batch);
      applied = writes.applied();
    } catch (RocksDBException e) {
      throw new StorageException("cannot commit to RocksDB in " + dir, e);
    }
  }

  /**
   * Reads the applied state and iterates the data under one RocksDB snapshot: the applied index is
   * committed in the same WriteBatch as the data it covers, so the two always match.
   */
  @Override
  public DataDigest digest() {
    Snapshot snapshot = db.getSnapshot();
    try (ReadOptions options = new ReadOptions().setSnapshot(snapshot);
        RocksIterator it = db.newIterator(data, options)) {
      byte[] appliedBytes = db.get(meta, options, APPLIED_KEY);
      long index =
          appliedBytes == null ? 0 : parse(AppliedState.parser(), appliedBytes).getIndex();
      DataDigest.Builder digest = new DataDigest.Builder();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        digest.add(ByteString.copyFrom(it.key()), parse(StoredValue.parser(), it.value()));
      }
      checkIterator(it);
      return digest.finish(index);
    } catch (RocksDBException e) {
      throw new StorageException("cannot read RocksDB in " + dir, e);
    } finally {
      db.releaseSnapshot(snapshot);
    }
  }

  /**
   * Writes a consistent, self-contained copy of the database to {@code target} (which must not
   * exist), made of hard links where the file system allows. Memtables are flushed first.
   */
  public void checkpoint(Path target) {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
        Checkpoint checkpoint = Checkpoint.create(db)) {
      db.flush(flush, List.of(data, sessions, meta));
      checkpoint.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new StorageException("cannot checkpoint RocksDB in " + dir + " to " + target, e);
    }
  }

  @Override
  public void close() {
    try {
      if (!readOnly) {
        db.syncWal();
      }
    } catch (RocksDBException e) {
      throw new StorageException("cannot sync the WAL of RocksDB in " + dir, e);
    } finally {
      data.close();
      sessions.close();
      meta.close();
      db.close();
      writeOptions.close();
      cfOptions.close();
      dbOptions.close();
    }
  }

  private byte[] getRaw(ColumnFamilyHandle cf, byte[] key) {
    try {
      return db.get(cf, key);
    } catch (RocksDBException e) {
      throw new StorageException("cannot read RocksDB in " + dir, e);
    }
  }

  private void checkIterator(RocksIterator it) {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw new StorageException("cannot iterate RocksDB in " + dir, e);
    }
  }

  private <T> T parse(com.google.protobuf.Parser<T> parser, byte[] bytes) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new StorageException("corrupt record in RocksDB in " + dir, e);
    }
  }
}
