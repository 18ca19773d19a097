package dev.kv.chaos.check;

import dev.kv.chaos.history.Operation;
import java.util.Optional;

/**
 * The sequential specification of one key: its initial state, and what each operation does to the
 * state and must answer. The checker looks for an order of a key's operations in which every step
 * is accepted.
 *
 * <p>States must be immutable values with {@code equals} and {@code hashCode} (records): the search
 * caches (set of linearized operations, state) pairs to avoid exploring a configuration twice.
 *
 * @param <S> the state of one key
 */
public interface Model<S> {

  /** The state of a key that no operation has touched. */
  S initialState();

  /**
   * Applies {@code op} to {@code state}. For an OK operation: the state after it if its recorded
   * output is the answer the specification gives in {@code state}, empty if not. For an
   * INDETERMINATE operation, which has no output: the state after it (any answer is accepted).
   * Never called with a FAILED operation.
   */
  Optional<S> step(S state, Operation op);

  /** How a state reads in a report. */
  default String describe(S state) {
    return String.valueOf(state);
  }
}
