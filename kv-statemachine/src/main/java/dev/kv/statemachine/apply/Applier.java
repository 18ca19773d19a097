package dev.kv.statemachine.apply;

import com.google.protobuf.ByteString;
import dev.kv.api.KeyHash;
import dev.kv.statemachine.proto.AppliedState;
import dev.kv.statemachine.proto.ClientSession;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CommandResult;
import dev.kv.statemachine.proto.EntryResult;
import dev.kv.statemachine.proto.LogEntry;
import dev.kv.statemachine.proto.Ownership;
import dev.kv.statemachine.proto.SetOwnershipResult;
import dev.kv.statemachine.proto.Rejection;
import dev.kv.statemachine.proto.SessionResult;
import dev.kv.statemachine.proto.WriteId;
import dev.kv.statemachine.storage.KvStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies committed log entries to a {@link KvStore}: the deterministic core of the replicated
 * state machine, free of Raft. Given the same store state and the same entry, every replica
 * computes the same results and the same writes, and commits them in one atomic write together
 * with the entry's index. An entry at or below the applied index is skipped, so replaying the
 * log after a crash changes nothing that was already applied.
 *
 * <p>Deterministic refusals (a malformed command, a forgotten retry) are ordinary results.
 * Storage failures propagate as {@link dev.kv.statemachine.storage.StorageException}; an entry in
 * an unknown format raises {@link UnsupportedLogFormatException}. Both must stop the replica.
 *
 * <p>Not thread-safe: one thread applies, in log order.
 */
public final class Applier {
  /** The log entry format of every entry that carries no {@code ImportRecord}. */
  public static final int FORMAT_VERSION = 1;

  /**
   * The format of an entry that carries an {@code ImportRecord}: a binary that reads only {@link
   * #FORMAT_VERSION} refuses the whole entry (and stops) rather than skip the import as a command
   * it cannot decode, which would leave its replica without data its peers have.
   */
  public static final int IMPORT_FORMAT_VERSION = 2;

  /** Whether this binary reads entries of {@code formatVersion}. */
  public static boolean readsFormat(int formatVersion) {
    return formatVersion == FORMAT_VERSION || formatVersion == IMPORT_FORMAT_VERSION;
  }

  /** The format an entry carrying {@code commands} must have. */
  public static int formatVersionFor(List<Command> commands) {
    for (Command c : commands) {
      if (c.getOpCase() == Command.OpCase.IMPORT_RECORD) {
        return IMPORT_FORMAT_VERSION;
      }
    }
    return FORMAT_VERSION;
  }

  private final KvStore store;
  private final ApplyConfig config;
  private final Ownership initialOwnership;
  private final CommandExecutor executor = new CommandExecutor();

  /**
   * @param initialOwnership what the group owns before its first {@code SetOwnership}: {@link
   *     OwnedRanges#NOTHING} for a data group, {@link OwnedRanges#WHOLE_RING} for the meta group
   */
  public Applier(KvStore store, ApplyConfig config, Ownership initialOwnership) {
    this.store = store;
    this.config = config;
    this.initialOwnership = initialOwnership;
  }

  /** The ranges the group owns as of the last applied entry. */
  public Ownership ownership() {
    return ownershipOf(store.appliedState(), initialOwnership);
  }

  /** The ownership recorded in {@code applied}, or {@code initial} before the first one. */
  public static Ownership ownershipOf(AppliedState applied, Ownership initial) {
    return applied.hasOwnership() ? applied.getOwnership() : initial;
  }

  /**
   * Applies the entry at {@code index} (written in {@code term}). Returns its results, or empty
   * when the entry was already applied before.
   */
  public Optional<EntryResult> apply(long term, long index, LogEntry entry) {
    AppliedState before = store.appliedState();
    if (index <= before.getIndex()) {
      return Optional.empty();
    }
    if (!readsFormat(entry.getFormatVersion())) {
      throw new UnsupportedLogFormatException(
          "log entry " + index + " has format_version " + entry.getFormatVersion()
              + "; this binary reads " + FORMAT_VERSION + " and " + IMPORT_FORMAT_VERSION
              + ": upgrade this node");
    }
    long clock = Math.max(before.getClockMillis(), entry.getProposedAtMillis());
    StagedState staged = new StagedState(store);
    EntryResult.Builder result = EntryResult.newBuilder().setIndex(index).setClockMillis(clock);
    Ownership ownership = ownershipOf(before, initialOwnership);
    for (Command command : entry.getCommandsList()) {
      if (command.getOpCase() == Command.OpCase.SET_OWNERSHIP) {
        Ownership proposed = command.getSetOwnership().getOwnership();
        String invalid = OwnedRanges.invalid(proposed);
        if (invalid != null) {
          result.addResults(rejection(Rejection.Reason.INVALID, invalid));
          continue;
        }
        boolean newer = proposed.getEpoch() > ownership.getEpoch();
        if (newer) {
          ownership = proposed;
        }
        result.addResults(
            CommandResult.newBuilder()
                .setSetOwnership(
                    SetOwnershipResult.newBuilder()
                        .setChanged(newer)
                        .setEpoch(ownership.getEpoch())));
        continue;
      }
      if (command.getOpCase() == Command.OpCase.IMPORT_RECORD
          && entry.getFormatVersion() != IMPORT_FORMAT_VERSION) {
        // What a binary without imports does with it: nothing. Replicas must agree.
        result.addResults(rejection(Rejection.Reason.INVALID,
            "an import_record command needs an entry of format_version " + IMPORT_FORMAT_VERSION));
        continue;
      }
      ByteString key = CommandExecutor.keyOf(command);
      long hash = KeyHash.of(key.toByteArray());
      // A command without a key is refused as INVALID by the executor, whoever owns what.
      if (!key.isEmpty() && !OwnedRanges.owns(ownership, hash)) {
        result.addResults(
            rejection(Rejection.Reason.WRONG_GROUP, OwnedRanges.notOwned(ownership, hash)));
        continue;
      }
      result.addResults(applyOnce(staged, index, clock, command));
    }
    long lastSweep = before.getLastSessionSweepMillis();
    if (clock - lastSweep >= config.sweepIntervalMillis()) {
      expireSessions(staged, clock);
      lastSweep = clock;
    }
    AppliedState.Builder applied =
        AppliedState.newBuilder()
            .setTerm(term)
            .setIndex(index)
            .setClockMillis(clock)
            .setLastSessionSweepMillis(lastSweep);
    if (before.hasOwnership() || ownership != initialOwnership) {
      applied.setOwnership(ownership);
    }
    staged.writes().setApplied(applied.build());
    store.commit(staged.writes());
    return Optional.of(result.build());
  }

  /** Applies a command at most once per (client id, sequence); see {@code WriteId}. */
  private CommandResult applyOnce(StagedState staged, long index, long clock, Command command) {
    if (!command.hasWriteId() || command.getWriteId().getClientId().isEmpty()) {
      return executor.execute(staged, index, command);
    }
    WriteId id = command.getWriteId();
    if (id.getSequence() == 0) {
      return rejection(Rejection.Reason.INVALID, "write sequence must be >= 1");
    }
    if (id.getAckedBelow() > id.getSequence()) {
      return rejection(
          Rejection.Reason.INVALID,
          "acked_below " + id.getAckedBelow() + " is above the write's own sequence "
              + id.getSequence());
    }
    ClientSession session =
        staged.session(id.getClientId()).orElse(ClientSession.getDefaultInstance());
    for (SessionResult remembered : session.getResultsList()) {
      if (remembered.getSequence() == id.getSequence()) {
        return remembered.getResult();
      }
    }
    if (id.getSequence() < session.getAckedBelow()) {
      return rejection(
          Rejection.Reason.SEQUENCE_FORGOTTEN,
          "write sequence " + id.getSequence() + " is below the client's acknowledged window ("
              + session.getAckedBelow() + "); its result is no longer known");
    }
    CommandResult result = executor.execute(staged, index, command);
    staged.writes().putSession(id.getClientId(), remember(session, id, clock, result));
    return result;
  }

  private ClientSession remember(
      ClientSession session, WriteId id, long clock, CommandResult result) {
    long ackedBelow = Math.max(session.getAckedBelow(), id.getAckedBelow());
    List<SessionResult> kept = new ArrayList<>(session.getResultsCount() + 1);
    for (SessionResult r : session.getResultsList()) {
      if (r.getSequence() >= ackedBelow) {
        kept.add(r);
      }
    }
    kept.add(SessionResult.newBuilder().setSequence(id.getSequence()).setResult(result).build());
    // A client that never acknowledges would grow its record without bound: forget the oldest.
    kept.sort((a, b) -> Long.compareUnsigned(a.getSequence(), b.getSequence()));
    while (kept.size() > config.maxResultsPerSession()) {
      ackedBelow = Math.max(ackedBelow, kept.remove(0).getSequence() + 1);
    }
    return ClientSession.newBuilder()
        .setAckedBelow(ackedBelow)
        .setLastActiveMillis(clock)
        .addAllResults(kept)
        .build();
  }

  /** Drops the sessions of clients that have not written for longer than the expiry. */
  private void expireSessions(StagedState staged, long clock) {
    long cutoff = clock - config.sessionExpiry().toMillis();
    List<ByteString> expired = new ArrayList<>();
    store.forEachSession(
        (clientId, session) -> {
          if (session.getLastActiveMillis() < cutoff && !staged.touchesSession(clientId)) {
            expired.add(clientId);
          }
        });
    expired.forEach(staged.writes()::deleteSession);
  }

  static CommandResult rejection(Rejection.Reason reason, String message) {
    return CommandResult.newBuilder()
        .setRejected(Rejection.newBuilder().setReason(reason).setMessage(message))
        .build();
  }
}
