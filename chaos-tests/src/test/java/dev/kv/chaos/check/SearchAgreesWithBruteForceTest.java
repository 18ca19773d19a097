package dev.kv.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.api.testing.SeededRuns;
import dev.kv.chaos.history.CasCondition;
import dev.kv.chaos.history.OpKind;
import dev.kv.chaos.history.Operation;
import dev.kv.chaos.history.Outcome;
import dev.kv.chaos.history.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The checker against the definition of linearizability, applied by brute force to tiny random
 * histories: arbitrary answers (about one history in seven is linearizable), few distinct values,
 * and times from a small range so that many of them are equal. This pins down the search, its
 * cache, the dropping of operations that cannot matter, and the equal-times rule.
 */
class SearchAgreesWithBruteForceTest {
  private static final RegisterModel MODEL = new RegisterModel();
  private static final LinearizabilityChecker CHECKER =
      new LinearizabilityChecker(
          MODEL,
          CheckOptions.DEFAULTS.withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)),
          System::nanoTime);
  private static final String[] VALUES = {"a", "b"};

  @Test
  void verdictsAgree() {
    Map<Verdict, Integer> verdicts = new TreeMap<>();
    SeededRuns.run(
        "SearchAgreesWithBruteForceTest#verdictsAgree",
        3_000,
        random -> {
          List<Operation> history = tinyHistory(random);

          CheckResult result = CHECKER.check(history);
          Verdict verdict = result.verdict();

          Verdict expected =
              linearizable(relevant(history), MODEL.initialState())
                  ? Verdict.LINEARIZABLE
                  : Verdict.NOT_LINEARIZABLE;
          assertThat(verdict).as("%s", history).isEqualTo(expected);
          verdicts.merge(verdict, 1, Integer::sum);
          result.keys().get(0).violation().ifPresent(v -> assertExplains(v, history));
        });
    // Both answers must be common, or the comparison proves little.
    assertThat(verdicts.get(Verdict.LINEARIZABLE)).isGreaterThan(200);
    assertThat(verdicts.get(Verdict.NOT_LINEARIZABLE)).isGreaterThan(200);
  }

  /**
   * A violation's prefix must replay through the model to the state it names, and every operation
   * it names as stuck must be rejected in that state.
   */
  private static void assertExplains(Violation violation, List<Operation> history) {
    RegisterState state = MODEL.initialState();
    for (long id : violation.longestLinearization()) {
      state = MODEL.step(state, history.get((int) id)).orElseThrow();
    }
    assertThat(MODEL.describe(state)).isEqualTo(violation.stateAfter());
    assertThat(violation.notLinearizable()).isNotEmpty();
    for (long id : violation.notLinearizable()) {
      assertThat(MODEL.step(state, history.get((int) id))).as("op %s", id).isEmpty();
    }
  }

  /**
   * The definition: some operation that no other (unlinearized, returned) operation precedes in
   * real time is accepted next, and the rest can be linearized after it; operations of unknown
   * outcome may also never take effect. Only FAILED operations are dropped up front.
   */
  private static boolean linearizable(List<Operation> remaining, RegisterState state) {
    if (remaining.stream().noneMatch(Operation::returned)) {
      return true;
    }
    for (Operation next : remaining) {
      boolean preceded =
          remaining.stream()
              .anyMatch(other -> other.returned() && other.returnNanos() < next.callNanos());
      if (preceded) {
        continue;
      }
      List<Operation> rest = new ArrayList<>(remaining);
      rest.remove(next);
      var after = MODEL.step(state, next);
      if (after.isPresent() && linearizable(rest, after.get())) {
        return true;
      }
    }
    return false;
  }

  private static List<Operation> relevant(List<Operation> history) {
    return history.stream().filter(op -> op.outcome() != Outcome.FAILED).toList();
  }

  private static List<Operation> tinyHistory(Random random) {
    int size = 1 + random.nextInt(7);
    List<Operation> history = new ArrayList<>();
    for (int id = 0; id < size; id++) {
      OpKind kind = OpKind.values()[random.nextInt(3)];
      long call = random.nextInt(10);
      double dice = random.nextDouble();
      Outcome outcome =
          dice < 0.75 ? Outcome.OK : dice < 0.85 ? Outcome.FAILED : Outcome.INDETERMINATE;
      long ret =
          outcome == Outcome.INDETERMINATE ? Operation.NEVER_RETURNED : call + random.nextInt(6);
      history.add(
          new Operation(
              id,
              id,
              "k",
              kind,
              kind == OpKind.CAS ? condition(random) : null,
              kind == OpKind.GET ? null : value(random),
              call,
              ret,
              outcome,
              outcome == Outcome.OK ? output(random, kind) : null,
              null));
    }
    return history;
  }

  private static CasCondition condition(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> CasCondition.versionEquals(1 + random.nextInt(2));
      case 1 -> CasCondition.valueEquals(value(random));
      default -> CasCondition.absent();
    };
  }

  // Small versions, so that answers are often right by chance.
  private static Output output(Random random, OpKind kind) {
    return switch (kind) {
      case GET ->
          random.nextInt(4) == 0
              ? Output.absent()
              : Output.read(value(random), 1 + random.nextInt(2));
      case PUT -> Output.put(1 + random.nextInt(2));
      case CAS -> Output.cas(random.nextBoolean(), random.nextInt(3));
    };
  }

  private static String value(Random random) {
    return VALUES[random.nextInt(VALUES.length)];
  }
}
