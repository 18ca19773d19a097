package dev.kv.statemachine.apply;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CommandResult;
import dev.kv.statemachine.proto.CompareAndSet;
import dev.kv.statemachine.proto.CompareAndSetResult;
import dev.kv.statemachine.proto.Condition;
import dev.kv.statemachine.proto.DeleteResult;
import dev.kv.statemachine.proto.ImportRecord;
import dev.kv.statemachine.proto.ImportResult;
import dev.kv.statemachine.proto.PutResult;
import dev.kv.statemachine.proto.Rejection;
import dev.kv.statemachine.proto.StoredValue;
import dev.kv.statemachine.storage.StorageKeys;
import java.util.Optional;

/**
 * Executes one write command against staged state. Only structural rules are checked here (a key
 * is present, an operation is set): size limits are node configuration and are enforced before a
 * command enters the log, because apply must not depend on anything but the log.
 */
final class CommandExecutor {

  CommandResult execute(StagedState staged, long index, Command command) {
    return switch (command.getOpCase()) {
      case PUT -> put(staged, index, command.getPut().getKey(), command.getPut().getValue());
      case DELETE -> delete(staged, command.getDelete().getKey());
      case COMPARE_AND_SET -> compareAndSet(staged, index, command.getCompareAndSet());
      case IMPORT_RECORD -> importRecord(staged, index, command.getImportRecord());
      case SET_OWNERSHIP -> throw new IllegalArgumentException("ownership is applied by Applier");
      case OP_NOT_SET -> Applier.rejection(Rejection.Reason.INVALID, "command has no operation");
    };
  }

  /** The user key a data command writes (empty for a command without one). */
  static ByteString keyOf(Command command) {
    return switch (command.getOpCase()) {
      case PUT -> command.getPut().getKey();
      case DELETE -> command.getDelete().getKey();
      case COMPARE_AND_SET -> command.getCompareAndSet().getKey();
      case IMPORT_RECORD -> command.getImportRecord().getKey();
      case SET_OWNERSHIP, OP_NOT_SET -> ByteString.EMPTY;
    };
  }

  private CommandResult put(StagedState staged, long index, ByteString key, ByteString value) {
    if (key.isEmpty()) {
      return emptyKey();
    }
    long version = write(staged, index, StorageKeys.of(key), value);
    return CommandResult.newBuilder().setPut(PutResult.newBuilder().setVersion(version)).build();
  }

  private CommandResult delete(StagedState staged, ByteString key) {
    if (key.isEmpty()) {
      return emptyKey();
    }
    ByteString storageKey = StorageKeys.of(key);
    boolean existed = staged.get(storageKey).isPresent();
    if (existed) {
      staged.writes().delete(storageKey);
    }
    return CommandResult.newBuilder()
        .setDelete(DeleteResult.newBuilder().setExisted(existed))
        .build();
  }

  private CommandResult compareAndSet(StagedState staged, long index, CompareAndSet cas) {
    if (cas.getKey().isEmpty()) {
      return emptyKey();
    }
    if (cas.getActionCase() == CompareAndSet.ActionCase.ACTION_NOT_SET
        || (cas.getActionCase() == CompareAndSet.ActionCase.DELETE && !cas.getDelete())) {
      return Applier.rejection(
          Rejection.Reason.INVALID, "compare-and-set needs an action: put_value or delete=true");
    }
    ByteString storageKey = StorageKeys.of(cas.getKey());
    Optional<StoredValue> current = staged.get(storageKey);
    String invalid = invalidCondition(cas.getCondition());
    if (invalid != null) {
      return Applier.rejection(Rejection.Reason.INVALID, invalid);
    }
    long currentVersion = current.map(StoredValue::getVersion).orElse(0L);
    if (!holds(cas.getCondition(), current)) {
      return casResult(false, currentVersion);
    }
    if (cas.getActionCase() == CompareAndSet.ActionCase.DELETE) {
      if (current.isPresent()) {
        staged.writes().delete(storageKey);
      }
      return casResult(true, 0);
    }
    return casResult(true, write(staged, index, storageKey, cas.getPutValue()));
  }

  /** See {@code ImportRecord} in replicated.proto for the rules. */
  private CommandResult importRecord(StagedState staged, long index, ImportRecord record) {
    if (record.getKey().isEmpty()) {
      return emptyKey();
    }
    if (record.getVersion() == 0) {
      return Applier.rejection(
          Rejection.Reason.INVALID, "an imported record's version must be >= 1");
    }
    ByteString storageKey = StorageKeys.of(record.getKey());
    Optional<StoredValue> current = staged.get(storageKey);
    if (current.isPresent()
        && current.get().getValue().equals(record.getValue())
        && current.get().getVersion() >= record.getVersion()) {
      return importResult(false, current.get().getVersion());
    }
    long version =
        current.map(v -> Math.max(record.getVersion(), v.getVersion() + 1)).orElse(record.getVersion());
    staged
        .writes()
        .put(
            storageKey,
            StoredValue.newBuilder()
                .setValue(record.getValue())
                .setVersion(version)
                .setModIndex(index)
                .build());
    return importResult(true, version);
  }

  private static CommandResult importResult(boolean written, long version) {
    return CommandResult.newBuilder()
        .setImportRecord(ImportResult.newBuilder().setWritten(written).setVersion(version))
        .build();
  }

  private static String invalidCondition(Condition condition) {
    return switch (condition.getKindCase()) {
      case KIND_NOT_SET -> "compare-and-set needs a condition: version_equals, value_equals or absent";
      case VERSION_EQUALS -> condition.getVersionEquals() == 0
          ? "version_equals must be >= 1; use absent to require that the key does not exist"
          : null;
      case ABSENT -> condition.getAbsent() ? null : "condition absent must be true when set";
      case VALUE_EQUALS -> null;
    };
  }

  private static boolean holds(Condition condition, Optional<StoredValue> current) {
    return switch (condition.getKindCase()) {
      case VERSION_EQUALS -> current.isPresent()
          && current.get().getVersion() == condition.getVersionEquals();
      case VALUE_EQUALS -> current.isPresent()
          && current.get().getValue().equals(condition.getValueEquals());
      case ABSENT -> current.isEmpty();
      case KIND_NOT_SET -> false;
    };
  }

  private static long write(StagedState staged, long index, ByteString storageKey, ByteString value) {
    long version = staged.get(storageKey).map(v -> v.getVersion() + 1).orElse(1L);
    staged
        .writes()
        .put(
            storageKey,
            StoredValue.newBuilder().setValue(value).setVersion(version).setModIndex(index).build());
    return version;
  }

  private static CommandResult casResult(boolean succeeded, long version) {
    return CommandResult.newBuilder()
        .setCompareAndSet(
            CompareAndSetResult.newBuilder().setSucceeded(succeeded).setVersion(version))
        .build();
  }

  private static CommandResult emptyKey() {
    return Applier.rejection(Rejection.Reason.INVALID, "key is empty; keys must be at least 1 byte");
  }
}
