package dev.kv.statemachine.apply;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CompareAndSet;
import dev.kv.statemachine.proto.Condition;
import dev.kv.statemachine.proto.Delete;
import dev.kv.statemachine.proto.LogEntry;
import dev.kv.statemachine.proto.Put;
import dev.kv.statemachine.proto.WriteId;

/** Builders for log commands in tests. */
final class Commands {
  private Commands() {}

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static Command put(String key, String value) {
    return Command.newBuilder().setPut(Put.newBuilder().setKey(b(key)).setValue(b(value))).build();
  }

  static Command delete(String key) {
    return Command.newBuilder().setDelete(Delete.newBuilder().setKey(b(key))).build();
  }

  static Command cas(String key, Condition condition, String newValueOrNullToDelete) {
    CompareAndSet.Builder cas = CompareAndSet.newBuilder().setKey(b(key)).setCondition(condition);
    if (newValueOrNullToDelete == null) {
      cas.setDelete(true);
    } else {
      cas.setPutValue(b(newValueOrNullToDelete));
    }
    return Command.newBuilder().setCompareAndSet(cas).build();
  }

  static Condition versionEquals(long version) {
    return Condition.newBuilder().setVersionEquals(version).build();
  }

  static Condition valueEquals(String value) {
    return Condition.newBuilder().setValueEquals(b(value)).build();
  }

  static Condition absent() {
    return Condition.newBuilder().setAbsent(true).build();
  }

  static Command withId(Command command, String clientId, long sequence, long ackedBelow) {
    ByteString id = ByteString.copyFrom(String.format("%-16s", clientId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return command.toBuilder()
        .setWriteId(WriteId.newBuilder().setClientId(id).setSequence(sequence).setAckedBelow(ackedBelow))
        .build();
  }

  static LogEntry entry(long proposedAtMillis, Command... commands) {
    LogEntry.Builder entry =
        LogEntry.newBuilder().setFormatVersion(Applier.FORMAT_VERSION).setProposedAtMillis(proposedAtMillis);
    for (Command c : commands) {
      entry.addCommands(c);
    }
    return entry.build();
  }
}
