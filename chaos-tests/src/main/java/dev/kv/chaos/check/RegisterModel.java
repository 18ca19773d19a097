package dev.kv.chaos.check;

import dev.kv.chaos.history.CasCondition;
import dev.kv.chaos.history.Operation;
import dev.kv.chaos.history.Outcome;
import dev.kv.chaos.history.Output;
import java.util.Optional;

/**
 * The specification of one key of the service (see {@code kv.proto}): a register holding a value or
 * nothing, and a version that counts the writes. A GET answers the current value and version; a PUT
 * writes and answers the new version; a CAS whose condition holds writes and answers succeeded with
 * the new version, otherwise changes nothing and answers failed with the current version. Keys
 * start absent.
 */
public final class RegisterModel implements Model<RegisterState> {

  @Override
  public RegisterState initialState() {
    return RegisterState.ABSENT;
  }

  @Override
  public Optional<RegisterState> step(RegisterState state, Operation op) {
    boolean unknownOutput = op.outcome() == Outcome.INDETERMINATE;
    return switch (op.kind()) {
      case GET ->
          unknownOutput || reads(state, (Output.ReadResult) op.output())
              ? Optional.of(state)
              : Optional.empty();
      case PUT -> {
        RegisterState next = state.write(op.value());
        yield unknownOutput || ((Output.PutResult) op.output()).version() == next.version()
            ? Optional.of(next)
            : Optional.empty();
      }
      case CAS -> {
        boolean holds = holds(op.condition(), state);
        RegisterState next = holds ? state.write(op.value()) : state;
        if (unknownOutput) {
          yield Optional.of(next);
        }
        Output.CasResult answer = (Output.CasResult) op.output();
        yield answer.succeeded() == holds && answer.version() == next.version()
            ? Optional.of(next)
            : Optional.empty();
      }
    };
  }

  private static boolean reads(RegisterState state, Output.ReadResult answer) {
    return answer.found() == state.present()
        && (!answer.found() || answer.value().equals(state.value()))
        && answer.version() == state.version();
  }

  private static boolean holds(CasCondition condition, RegisterState state) {
    if (condition instanceof CasCondition.VersionEquals v) {
      return state.present() && state.version() == v.version();
    }
    if (condition instanceof CasCondition.ValueEquals v) {
      return state.present() && state.value().equals(v.value());
    }
    return !state.present(); // CasCondition.Absent
  }
}
