package dev.kv.chaos.check;

import dev.kv.chaos.history.CasCondition;
import dev.kv.chaos.history.OpKind;
import dev.kv.chaos.history.Operation;
import dev.kv.chaos.history.Outcome;
import dev.kv.chaos.history.Output;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Random histories of a correct service, for testing the checker: concurrent clients whose
 * operations take effect, one at a time, at a random instant inside their [call, return] interval,
 * on one register per key. Such a history is linearizable by construction (the instants are the
 * linearization). Written values are unique, as a real workload's are.
 */
final class RandomRegisterHistories {

  /**
   * How a generated history looks.
   *
   * @param clients concurrent clients
   * @param opsPerClient operations each client invokes in sequence
   * @param keys how many keys the operations spread over
   * @param failedRate share of operations that fail (and did not happen)
   * @param indeterminateRate share of operations whose outcome is unknown; half of them take
   *     effect, possibly long after the client gave up
   */
  record Shape(
      int clients, int opsPerClient, int keys, double failedRate, double indeterminateRate) {}

  private static final int MAX_GAP = 20; // between a client's operations
  private static final int MAX_DURATION = 50; // of one operation, and of a client's timeout

  private RandomRegisterHistories() {}

  /** A random linearizable history of the given shape. */
  static List<Operation> linearizable(Random random, Shape shape) {
    List<Draft> drafts = timeline(random, shape);
    decideWhatHappened(random, drafts);
    drafts.sort(Comparator.comparingLong((Draft d) -> d.call).thenComparingInt(d -> d.process));
    List<Operation> operations = new ArrayList<>();
    for (Draft draft : drafts) {
      operations.add(draft.toOperation(operations.size()));
    }
    return operations;
  }

  /**
   * The history with one OK read's answer changed to a value that cannot have been current during
   * that read, whatever the linearization, or empty if the history offers no such read. In order of
   * preference: a value that was overwritten by a successful write, which itself completed before
   * the read began, after the write of that value had completed (a stale read); a value whose write
   * began after the read ended (a read from the future); a value nobody wrote.
   */
  static Optional<List<Operation>> withImpossibleRead(Random random, List<Operation> history) {
    List<Operation> reads =
        history.stream()
            .filter(op -> op.kind() == OpKind.GET && op.outcome() == Outcome.OK)
            .toList();
    if (reads.isEmpty()) {
      return Optional.empty();
    }
    Operation read = reads.get(random.nextInt(reads.size()));
    String impossible =
        staleValue(random, history, read)
            .or(() -> futureValue(random, history, read))
            .orElse("never-written");
    List<Operation> corrupted = new ArrayList<>(history);
    corrupted.set(
        history.indexOf(read),
        new Operation(
            read.id(),
            read.process(),
            read.key(),
            read.kind(),
            null,
            null,
            read.callNanos(),
            read.returnNanos(),
            Outcome.OK,
            Output.read(impossible, Math.max(1, ((Output.ReadResult) read.output()).version())),
            null));
    return Optional.of(corrupted);
  }

  // A value v written by a successful write W, where another successful write W2 began after W
  // ended and ended before the read began: W < W2 < read in every linearization, and only W
  // writes v (values are unique), so v is never current during the read.
  private static Optional<String> staleValue(
      Random random, List<Operation> history, Operation read) {
    List<Operation> writes =
        history.stream().filter(op -> op.key().equals(read.key()) && definitelyWrote(op)).toList();
    List<String> stale = new ArrayList<>();
    for (Operation w : writes) {
      for (Operation w2 : writes) {
        if (w.returnNanos() < w2.callNanos() && w2.returnNanos() < read.callNanos()) {
          stale.add(w.value());
          break;
        }
      }
    }
    return pick(random, stale);
  }

  // A value whose only write was called after the read returned.
  private static Optional<String> futureValue(
      Random random, List<Operation> history, Operation read) {
    List<String> future =
        history.stream()
            .filter(op -> op.key().equals(read.key()) && op.kind() != OpKind.GET)
            .filter(op -> op.callNanos() > read.returnNanos())
            .map(Operation::value)
            .toList();
    return pick(random, future);
  }

  private static boolean definitelyWrote(Operation op) {
    return op.outcome() == Outcome.OK
        && (op.kind() == OpKind.PUT
            || (op.kind() == OpKind.CAS && ((Output.CasResult) op.output()).succeeded()));
  }

  private static Optional<String> pick(Random random, List<String> values) {
    return values.isEmpty()
        ? Optional.empty()
        : Optional.of(values.get(random.nextInt(values.size())));
  }

  /** Call and return times, outcomes and linearization instants; no kinds or values yet. */
  private static List<Draft> timeline(Random random, Shape shape) {
    List<Draft> drafts = new ArrayList<>();
    int nextProcess = shape.clients();
    for (int client = 0; client < shape.clients(); client++) {
      int process = client;
      long time = random.nextInt(MAX_GAP);
      for (int i = 0; i < shape.opsPerClient(); i++) {
        Draft d = new Draft();
        d.process = process;
        d.key = "k" + random.nextInt(shape.keys());
        d.call = time + 1 + random.nextInt(MAX_GAP);
        long end = d.call + random.nextInt(MAX_DURATION + 1);
        double dice = random.nextDouble();
        if (dice < shape.failedRate()) {
          d.outcome = Outcome.FAILED;
          d.ret = end;
        } else if (dice < shape.failedRate() + shape.indeterminateRate()) {
          d.outcome = Outcome.INDETERMINATE;
          d.ret = Operation.NEVER_RETURNED;
          // It may take effect long after the client gave up at `end`, or never.
          d.at = random.nextBoolean() ? d.call + random.nextInt(4 * MAX_DURATION) : -1;
          process = nextProcess++;
        } else {
          d.outcome = Outcome.OK;
          d.ret = end;
          d.at = d.call + random.nextInt((int) (end - d.call) + 1);
        }
        drafts.add(d);
        time = end;
      }
    }
    return drafts;
  }

  /** Applies the drafts that take effect in instant order; invents the others' inputs. */
  private static void decideWhatHappened(Random random, List<Draft> drafts) {
    Map<String, RegisterState> registers = new HashMap<>();
    List<String> written = new ArrayList<>();
    int[] nextValue = {0};
    List<Draft> effective = new ArrayList<>();
    for (Draft d : drafts) {
      if (d.at >= 0) {
        effective.add(d);
      } else {
        // FAILED, or INDETERMINATE and never applied: any input will do.
        d.kind = OpKind.values()[random.nextInt(3)];
        d.value = d.kind == OpKind.GET ? null : "v" + nextValue[0]++;
        d.condition = d.kind == OpKind.CAS ? CasCondition.absent() : null;
      }
    }
    // Equal instants are ordered arbitrarily: two operations whose instants are equal both
    // contain that instant, so they overlap and either order is a valid linearization.
    effective.sort(Comparator.comparingLong(d -> d.at));
    for (Draft d : effective) {
      RegisterState state = registers.getOrDefault(d.key, RegisterState.ABSENT);
      double dice = random.nextDouble();
      if (dice < 0.4) {
        d.kind = OpKind.GET;
        d.output = state.present() ? Output.read(state.value(), state.version()) : Output.absent();
      } else if (dice < 0.7) {
        d.kind = OpKind.PUT;
        d.value = "v" + nextValue[0]++;
        state = state.write(d.value);
        d.output = Output.put(state.version());
      } else {
        d.kind = OpKind.CAS;
        d.value = "v" + nextValue[0]++;
        d.condition = condition(random, state, written);
        boolean holds = holds(d.condition, state);
        state = holds ? state.write(d.value) : state;
        d.output = Output.cas(holds, state.version());
      }
      if (state.value() != null && state.value().equals(d.value)) {
        written.add(d.value);
      }
      registers.put(d.key, state);
    }
  }

  // Half the time a condition that holds, so that CAS succeeds often enough to matter.
  private static CasCondition condition(Random random, RegisterState state, List<String> written) {
    boolean aimToHold = random.nextBoolean();
    return switch (random.nextInt(3)) {
      case 0 ->
          CasCondition.versionEquals(
              aimToHold && state.present() ? state.version() : 1 + random.nextInt(3));
      case 1 ->
          CasCondition.valueEquals(
              aimToHold && state.present()
                  ? state.value()
                  : written.isEmpty() ? "nothing" : written.get(random.nextInt(written.size())));
      default -> CasCondition.absent();
    };
  }

  // The register semantics once more, independently of RegisterModel, so a bug there shows.
  private static boolean holds(CasCondition condition, RegisterState state) {
    if (condition instanceof CasCondition.VersionEquals v) {
      return state.present() && v.version() == state.version();
    }
    if (condition instanceof CasCondition.ValueEquals v) {
      return state.present() && v.value().equals(state.value());
    }
    return !state.present();
  }

  /** An operation under construction. */
  private static final class Draft {
    int process;
    String key;
    long call;
    long ret;
    long at = -1; // the instant it takes effect; -1 if never
    Outcome outcome;
    OpKind kind;
    CasCondition condition;
    String value;
    Output output;

    Operation toOperation(long id) {
      return new Operation(
          id,
          process,
          key,
          kind,
          condition,
          value,
          call,
          ret,
          outcome,
          outcome == Outcome.OK ? output : null,
          outcome == Outcome.OK ? null : "simulated");
    }
  }
}
