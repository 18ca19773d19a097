package dev.kv.chaos.check;

import dev.kv.chaos.history.CasCondition;
import dev.kv.chaos.history.OpKind;
import dev.kv.chaos.history.Operation;
import dev.kv.chaos.history.Outcome;
import dev.kv.chaos.history.Output;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written histories that read like a timeline: {@code h.put("a", 0, 10).returns(1)} is a PUT
 * of "a" called at 0 that returned version 1 at 10. Every operation runs in its own process (the
 * checker does not look at processes) on the current key, "k" unless {@link #on} says otherwise.
 * The finishing methods return the operation's id.
 */
final class TestHistory {
  private final List<Operation> operations = new ArrayList<>();
  private String key = "k";

  /** Later operations address {@code key}. */
  TestHistory on(String key) {
    this.key = key;
    return this;
  }

  Call get(long call, long ret) {
    return new Call(OpKind.GET, null, null, call, ret);
  }

  Call put(String value, long call, long ret) {
    return new Call(OpKind.PUT, null, value, call, ret);
  }

  Call cas(CasCondition condition, String value, long call, long ret) {
    return new Call(OpKind.CAS, condition, value, call, ret);
  }

  /** A GET whose outcome is unknown. */
  long getIndeterminate(long call) {
    return new Call(OpKind.GET, null, null, call, Operation.NEVER_RETURNED)
        .finish(Outcome.INDETERMINATE, null);
  }

  /** A PUT whose outcome is unknown: it may take effect any time after {@code call}, or never. */
  long putIndeterminate(String value, long call) {
    return new Call(OpKind.PUT, null, value, call, Operation.NEVER_RETURNED)
        .finish(Outcome.INDETERMINATE, null);
  }

  /** A CAS whose outcome is unknown. */
  long casIndeterminate(CasCondition condition, String value, long call) {
    return new Call(OpKind.CAS, condition, value, call, Operation.NEVER_RETURNED)
        .finish(Outcome.INDETERMINATE, null);
  }

  List<Operation> operations() {
    return List.copyOf(operations);
  }

  /** An operation waiting for its outcome. */
  final class Call {
    private final OpKind kind;
    private final CasCondition condition;
    private final String value;
    private final long call;
    private final long ret;

    private Call(OpKind kind, CasCondition condition, String value, long call, long ret) {
      this.kind = kind;
      this.condition = condition;
      this.value = value;
      this.call = call;
      this.ret = ret;
    }

    /** A GET that read {@code value} at {@code version}. */
    long reads(String value, long version) {
      return finish(Outcome.OK, Output.read(value, version));
    }

    /** A GET that found the key absent. */
    long readsAbsent() {
      return finish(Outcome.OK, Output.absent());
    }

    /** A PUT that answered the new version. */
    long returns(long version) {
      return finish(Outcome.OK, Output.put(version));
    }

    /** A CAS whose condition held; the key is now at {@code version}. */
    long succeeds(long version) {
      return finish(Outcome.OK, Output.cas(true, version));
    }

    /** A CAS whose condition did not hold, with the key's current version. */
    long failsAt(long version) {
      return finish(Outcome.OK, Output.cas(false, version));
    }

    /** The operation definitely did not happen (for example UNAVAILABLE). */
    long failed() {
      return finish(Outcome.FAILED, null);
    }

    private long finish(Outcome outcome, Output output) {
      long id = operations.size();
      operations.add(
          new Operation(
              id, (int) id, key, kind, condition, value, call, ret, outcome, output, null));
      return id;
    }
  }
}
