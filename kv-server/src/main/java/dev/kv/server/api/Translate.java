package dev.kv.server.api;

import dev.kv.api.v1.CompareAndSetRequest;
import dev.kv.api.v1.DeleteRequest;
import dev.kv.api.v1.PutRequest;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CompareAndSet;
import dev.kv.statemachine.proto.Condition;
import dev.kv.statemachine.proto.Delete;
import dev.kv.statemachine.proto.Put;
import dev.kv.statemachine.proto.WriteId;

/** Maps public requests onto log commands; the two formats evolve independently. */
final class Translate {
  private Translate() {}

  static Command put(PutRequest r) {
    return Command.newBuilder()
        .setWriteId(writeId(r.getWriteId()))
        .setPut(Put.newBuilder().setKey(r.getKey()).setValue(r.getValue()))
        .build();
  }

  static Command delete(DeleteRequest r) {
    return Command.newBuilder()
        .setWriteId(writeId(r.getWriteId()))
        .setDelete(Delete.newBuilder().setKey(r.getKey()))
        .build();
  }

  static Command compareAndSet(CompareAndSetRequest r) {
    CompareAndSet.Builder cas = CompareAndSet.newBuilder().setKey(r.getKey());
    var c = r.getCondition();
    switch (c.getKindCase()) {
      case VERSION_EQUALS -> cas.setCondition(Condition.newBuilder().setVersionEquals(c.getVersionEquals()));
      case VALUE_EQUALS -> cas.setCondition(Condition.newBuilder().setValueEquals(c.getValueEquals()));
      case ABSENT -> cas.setCondition(Condition.newBuilder().setAbsent(true));
      case KIND_NOT_SET -> { }
    }
    switch (r.getActionCase()) {
      case PUT_VALUE -> cas.setPutValue(r.getPutValue());
      case DELETE -> cas.setDelete(true);
      case ACTION_NOT_SET -> { }
    }
    return Command.newBuilder().setWriteId(writeId(r.getWriteId())).setCompareAndSet(cas).build();
  }

  private static WriteId writeId(dev.kv.api.v1.WriteId id) {
    return WriteId.newBuilder()
        .setClientId(id.getClientId())
        .setSequence(id.getSequence())
        .setAckedBelow(id.getAckedBelow())
        .build();
  }
}
