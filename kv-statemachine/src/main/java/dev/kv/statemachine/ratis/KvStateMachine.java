package dev.kv.statemachine.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kv.statemachine.apply.Applier;
import dev.kv.statemachine.apply.ApplyConfig;
import dev.kv.statemachine.apply.OwnedRanges;
import dev.kv.statemachine.apply.Reads;
import dev.kv.statemachine.proto.EntryResult;
import dev.kv.statemachine.proto.LogEntry;
import dev.kv.statemachine.proto.Ownership;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import dev.kv.statemachine.storage.DataDigest;
import dev.kv.statemachine.storage.RocksDbResources;
import dev.kv.statemachine.storage.RocksDbStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.apache.ratis.util.FileUtils;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis adapter of one group replica: decodes log entries and hands them to the {@link
 * Applier}, answers queries with {@link Reads}, and takes and restores snapshots as RocksDB
 * checkpoints. It holds no logic of its own beyond that translation.
 *
 * <p>The live database lives in {@code <group dir>/kv-db}, outside the directory that Ratis
 * replaces on snapshot install. After a restart Ratis replays the log from the latest snapshot;
 * the applier skips what the database already holds, because the applied index is committed with
 * the data.
 *
 * <p>Never swallows a storage error: an exception from apply goes to the {@link
 * FatalErrorHandler} (which stops the node) and is rethrown so Ratis stops the group.
 */
public final class KvStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);
  private static final String DB_DIR = "kv-db";
  /**
   * Ratis' test injection point run as {@link #reinitialize()} is about to return, with this
   * replica's peer id and group id: lets a test hold a snapshot reload open.
   */
  public static final String REINITIALIZE_RETURNING = "KvStateMachine.reinitialize.returning";

  private final RocksDbResources resources;
  private final ApplyConfig applyConfig;
  private final FatalErrorHandler fatal;
  private final Ownership initialOwnership;
  private final CheckpointSnapshotStorage snapshots = new CheckpointSnapshotStorage();
  /** Reads and applies share it; swapping the database (pause, install, close) takes it alone. */
  private final ReadWriteLock storeLock = new ReentrantReadWriteLock();
  private final AppliedIndexWaiters appliedWaiters = new AppliedIndexWaiters();
  private final SnapshotReloadGuard reloadGuard = new SnapshotReloadGuard();

  private Path dbDir;
  private RocksDbStore store;
  private Applier applier;
  private Reads reads;

  /**
   * @param initialOwnership what the group owns before the placement controller first sets it:
   *     {@link OwnedRanges#NOTHING} for a data group, {@link OwnedRanges#WHOLE_RING} for the meta
   *     group
   */
  public KvStateMachine(
      RocksDbResources resources,
      ApplyConfig applyConfig,
      FatalErrorHandler fatal,
      Ownership initialOwnership) {
    this.resources = resources;
    this.applyConfig = applyConfig;
    this.fatal = fatal;
    this.initialOwnership = initialOwnership;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    snapshots.init(raftStorage);
    dbDir = raftStorage.getStorageDir().getRoot().toPath().resolve(DB_DIR);
    getLifeCycle().startAndTransition(this::openStore);
  }

  private void openStore() {
    storeLock.writeLock().lock();
    try {
      store = RocksDbStore.open(dbDir, resources);
      applier = new Applier(store, applyConfig, initialOwnership);
      reads = new Reads(store, initialOwnership);
      // Ratis replays from the latest snapshot; the applier skips entries the store already has.
      setLastAppliedTermIndex(
          snapshots.latest().map(CheckpointSnapshotStorage.Snapshot::termIndex)
              .orElse(TermIndex.INITIAL_VALUE));
      appliedWaiters.advance(getLastAppliedTermIndex().getIndex());
      LOG.info("{}: opened {} at applied index {}, replay from {}", getGroupId(), dbDir,
          store.appliedState().getIndex(), getLastAppliedTermIndex());
    } finally {
      storeLock.writeLock().unlock();
    }
  }

  private void closeStore() {
    storeLock.writeLock().lock();
    try {
      if (store != null) {
        store.close();
        store = null;
        applier = null;
        reads = null;
      }
    } finally {
      storeLock.writeLock().unlock();
    }
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  /** Rejects, before it is appended, an entry this replica could not apply. */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    LogEntry entry = decodeEntry(request.getMessage().getContent().asReadOnlyByteBuffer());
    if (!Applier.readsFormat(entry.getFormatVersion())) {
      throw new IOException(
          "log entry format_version " + entry.getFormatVersion() + " is not one this node reads");
    }
    return super.startTransaction(request);
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    reloadGuard.onCallFromRatis();
    var logEntry = trx.getLogEntry();
    long term = logEntry.getTerm();
    long index = logEntry.getIndex();
    Optional<EntryResult> result;
    // Shared with reads; pause() takes it exclusively, so it waits for an apply in progress and
    // never closes the database under one.
    storeLock.readLock().lock();
    try {
      if (applier == null) {
        // Paused for a snapshot install: Ratis' apply thread goes on with entries it committed
        // before the pause until it sees the reload. Ratis pauses only to install a snapshot
        // above this replica's commit index, so that snapshot covers them.
        LOG.info("{}: entry {} left to the snapshot being installed", getGroupId(), index);
        return CompletableFuture.completedFuture(Message.EMPTY);
      }
      LogEntry entry =
          decodeEntry(logEntry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
      result = applier.apply(term, index, entry);
    } catch (RuntimeException | IOException e) {
      fatal.onFatalError("apply of log entry " + index + " in group " + getGroupId(), e);
      throw new IllegalStateException("apply of log entry " + index + " failed; stopping", e);
    } finally {
      storeLock.readLock().unlock();
    }
    updateLastAppliedTermIndex(term, index);
    byte[] reply = result.map(EntryResult::toByteArray).orElse(new byte[0]);
    return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
  }

  @Override
  public TermIndex getLastAppliedTermIndex() {
    reloadGuard.onCallFromRatis();
    return super.getLastAppliedTermIndex();
  }

  /** Every applied entry, whichever way Ratis reports it, passes here. */
  @Override
  protected boolean updateLastAppliedTermIndex(TermIndex applied) {
    boolean changed = super.updateLastAppliedTermIndex(applied);
    appliedWaiters.advance(applied.getIndex());
    return changed;
  }

  /**
   * Completes once this replica has applied the log up to {@code index} (at once if it has), so a
   * read served from it afterwards sees every entry up to there. Fails when the replica closes.
   */
  public CompletableFuture<Void> whenApplied(long index) {
    return appliedWaiters.await(index);
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    storeLock.readLock().lock();
    try {
      if (reads == null) {
        return CompletableFuture.failedFuture(
            new StateMachineException(
                "replica of " + getGroupId() + " is not serving (installing a snapshot or closed)"));
      }
      ReadRequest read = ReadRequest.parseFrom(request.getContent().asReadOnlyByteBuffer());
      ReadResult result = reads.read(read);
      return CompletableFuture.completedFuture(
          Message.valueOf(UnsafeByteOperations.unsafeWrap(result.toByteArray())));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      // Only StateMachineException travels back as a reply; others break the client's stream.
      return CompletableFuture.failedFuture(
          new StateMachineException("malformed read request: " + e.getMessage()));
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /**
   * Checkpoints the database at the current applied index. Ratis calls this on the apply thread
   * between entries, so nothing is applied concurrently and the checkpoint matches the index.
   */
  @Override
  public long takeSnapshot() throws IOException {
    reloadGuard.onCallFromRatis();
    TermIndex last = getLastAppliedTermIndex();
    if (last.getIndex() <= 0) {
      return -1;
    }
    Path tmp = snapshots.newTemporaryDir();
    storeLock.readLock().lock();
    try {
      if (store == null) {
        return -1;
      }
      store.checkpoint(tmp);
    } finally {
      storeLock.readLock().unlock();
    }
    Path published = snapshots.publish(tmp, last);
    LOG.info("{}: snapshot {} at {}", getGroupId(), published, last);
    return last.getIndex();
  }

  /**
   * Ratis pauses the replica right before it swaps in a received snapshot. Refused while the
   * previous snapshot is still being loaded (see {@link SnapshotReloadGuard}): that install
   * fails and the leader sends the snapshot again.
   */
  @Override
  public void pause() {
    reloadGuard.unlessReloading(getGroupId(), () -> {
      if (getLifeCycle().compareAndTransition(LifeCycle.State.RUNNING, LifeCycle.State.PAUSING)) {
        closeStore();
        getLifeCycle().transition(LifeCycle.State.PAUSED);
      }
    });
  }

  /**
   * Called after a snapshot was installed from the leader: the live database is replaced by a
   * copy of the newest snapshot and apply continues after its index.
   */
  @Override
  public void reinitialize() throws IOException {
    reloadGuard.reloadStarted();
    getLifeCycle().transition(LifeCycle.State.STARTING);
    closeStore();
    // Ratis swapped the snapshot directory for the one it received.
    snapshots.refresh();
    CheckpointSnapshotStorage.Snapshot snapshot =
        snapshots.latest().orElseThrow(() -> new IOException("no snapshot to reinitialize from"));
    restoreDatabase(snapshot);
    openStore();
    getLifeCycle().transition(LifeCycle.State.RUNNING);
    LOG.info("{}: restored from snapshot {}", getGroupId(), snapshot.dir());
    CodeInjectionForTesting.execute(REINITIALIZE_RETURNING, getId(), null, getGroupId());
    reloadGuard.reloadReturned();
  }

  /**
   * Replaces the live database with the snapshot's files: SST files are immutable and hard
   * linked; everything else (MANIFEST, CURRENT, OPTIONS) is copied, since RocksDB may append to
   * it and must not change the snapshot.
   */
  private void restoreDatabase(CheckpointSnapshotStorage.Snapshot snapshot) throws IOException {
    Path staging = dbDir.resolveSibling(DB_DIR + ".restoring");
    if (Files.exists(staging)) {
      FileUtils.deleteFully(staging);
    }
    Files.createDirectories(staging);
    for (Path file : snapshot.files()) {
      Path target = staging.resolve(snapshot.dir().relativize(file).toString());
      Files.createDirectories(target.getParent());
      if (file.getFileName().toString().endsWith(".sst")) {
        Files.createLink(target, file);
      } else {
        Files.copy(file, target);
      }
    }
    if (Files.exists(dbDir)) {
      FileUtils.deleteFully(dbDir);
    }
    Files.move(staging, dbDir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void close() {
    appliedWaiters.close(notServing("closed"));
    closeStore();
  }

  /** The group was removed from this node: its data goes with it. */
  @Override
  public void notifyGroupRemove() {
    appliedWaiters.close(notServing("removed from this node"));
    closeStore();
    try {
      if (dbDir != null && Files.exists(dbDir)) {
        FileUtils.deleteFully(dbDir);
      }
    } catch (IOException e) {
      LOG.warn("{}: cannot delete {}", getGroupId(), dbDir, e);
    }
  }

  private IllegalStateException notServing(String why) {
    return new IllegalStateException("this node's replica of " + getGroupId() + " was " + why);
  }

  /** The live store, for local (serializable) reads and metrics; null while not serving. */
  public Optional<ReadResult> readLocally(ReadRequest request) {
    storeLock.readLock().lock();
    try {
      return reads == null ? Optional.empty() : Optional.of(reads.read(request));
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /**
   * Writes a consistent copy of the live database to {@code target} (which must not exist), for a
   * backup: it holds exactly the writes applied up to the applied index recorded in it, and stays
   * valid whatever happens to the live database afterwards. Returns false while the replica is
   * not serving (installing a snapshot or closed).
   */
  public boolean checkpointTo(Path target) {
    storeLock.readLock().lock();
    try {
      if (store == null) {
        return false;
      }
      store.checkpoint(target);
      return true;
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /** What this replica has applied, or empty while it is not serving. */
  public Optional<ReplicaState> replicaState() {
    storeLock.readLock().lock();
    try {
      if (store == null) {
        return Optional.empty();
      }
      var applied = store.appliedState();
      return Optional.of(
          new ReplicaState(applied.getIndex(), Applier.ownershipOf(applied, initialOwnership)));
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /**
   * A digest of this replica's user data at its applied index, to compare replicas; empty while
   * it is not serving. Walks the whole store: for checks, not for a request path.
   */
  public Optional<DataDigest> dataDigest() {
    storeLock.readLock().lock();
    try {
      return store == null ? Optional.empty() : Optional.of(store.digest());
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /** A replica's applied index and owned ranges, for status and the placement controller. */
  public record ReplicaState(long appliedIndex, Ownership ownership) {}

  private static LogEntry decodeEntry(java.nio.ByteBuffer bytes) throws IOException {
    try {
      return LogEntry.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("undecodable log entry: " + e.getMessage(), e);
    }
  }
}
