package dev.kv.chaos.check;

import static dev.kv.chaos.check.Verdict.LINEARIZABLE;
import static dev.kv.chaos.check.Verdict.NOT_LINEARIZABLE;
import static dev.kv.chaos.check.Verdict.UNKNOWN;
import static dev.kv.chaos.history.CasCondition.absent;
import static dev.kv.chaos.history.CasCondition.valueEquals;
import static dev.kv.chaos.history.CasCondition.versionEquals;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Hand-written histories whose verdict is known, one anomaly (or one legal subtlety) each. */
class LinearizabilityCheckerTest {
  private static final LinearizabilityChecker CHECKER =
      LinearizabilityChecker.forRegisters(
          CheckOptions.DEFAULTS.withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)));

  private static CheckResult check(TestHistory h) {
    return CHECKER.check(h.operations());
  }

  private static Verdict verdict(TestHistory h) {
    return check(h).verdict();
  }

  @Test
  void emptyHistoryIsLinearizable() {
    CheckResult result = check(new TestHistory());

    assertThat(result.verdict()).isEqualTo(LINEARIZABLE);
    assertThat(result.keys()).isEmpty();
  }

  @Test
  void sequentialWritesAndReads() {
    TestHistory h = new TestHistory();
    h.get(0, 5).readsAbsent();
    h.put("a", 10, 20).returns(1);
    h.get(30, 40).reads("a", 1);
    h.put("b", 50, 60).returns(2);
    h.get(70, 80).reads("b", 2);

    assertThat(verdict(h)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void readConcurrentWithWriteMaySeeOldOrNewValue() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.put("b", 20, 60).returns(2);
    h.get(25, 30).reads("b", 2);
    h.get(25, 30).reads("a", 1);

    assertThat(verdict(h)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void readMayNotGoBackToOldValueOnceNewValueWasRead() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.put("b", 20, 60).returns(2);
    h.get(25, 30).reads("b", 2);
    h.get(35, 40).reads("a", 1);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void staleReadAfterCompletedWrite() {
    TestHistory h = new TestHistory();
    long putA = h.put("a", 0, 10).returns(1);
    long putB = h.put("b", 20, 30).returns(2);
    long read = h.get(40, 50).reads("a", 1);

    CheckResult result = check(h);

    assertThat(result.verdict()).isEqualTo(NOT_LINEARIZABLE);
    Violation violation = result.keys().get(0).violation().orElseThrow();
    assertThat(violation.longestLinearization()).containsExactly(putA, putB);
    assertThat(violation.stateAfter()).isEqualTo("\"b\" at version 2");
    assertThat(violation.notLinearizable()).containsExactly(read);
    assertThat(result.describe())
        .isEqualTo(
            "NOT_LINEARIZABLE (1 keys, "
                + result.elapsed().toMillis()
                + " ms)\n"
                + "  k: NOT_LINEARIZABLE (3 ops, "
                + result.keys().get(0).searchSteps()
                + " steps): after [0, 1] the state is \"b\" at version 2, and none of [2] fits it");
  }

  @Test
  void readOfAbsentKeyAfterCompletedWrite() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.get(20, 30).readsAbsent();

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void lostUpdateWhereTwoCasOnOneVersionBothSucceed() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.cas(versionEquals(1), "b", 20, 40).succeeds(2);
    h.cas(versionEquals(1), "c", 20, 40).succeeds(2);
    h.get(50, 60).reads("c", 2);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void concurrentCasOnOneVersionWhereOnlyOneWins() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.cas(versionEquals(1), "b", 20, 40).succeeds(2);
    h.cas(versionEquals(1), "c", 20, 40).failsAt(2);
    h.get(50, 60).reads("b", 2);

    assertThat(verdict(h)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void lostUpdateWhereTwoPutsGetTheSameVersion() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.put("b", 0, 10).returns(1);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void concurrentWritesSeenInAnImpossibleOrder() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 100).returns(1);
    h.put("b", 0, 100).returns(2);
    h.get(10, 20).reads("a", 1);
    h.get(30, 40).reads("b", 2);
    h.get(50, 60).reads("a", 1);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void concurrentWritesSeenInOnePossibleOrder() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 100).returns(1);
    h.put("b", 0, 100).returns(2);
    h.get(10, 20).reads("a", 1);
    h.get(30, 40).reads("b", 2);
    h.get(50, 60).reads("b", 2);

    assertThat(verdict(h)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void concurrentWritesObservedByTwoReadersInOppositeOrders() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 100).returns(1);
    h.put("b", 0, 100).returns(2);
    h.get(10, 20).reads("a", 1); // reader 1: a, then b
    h.get(30, 40).reads("b", 2);
    h.get(10, 20).reads("b", 2); // reader 2: b, then a
    h.get(30, 40).reads("a", 1);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void readOfValueNeverWritten() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.get(20, 30).reads("ghost", 1);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void versionsOutOfOrder() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(2);
    h.put("b", 20, 30).returns(1);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void readWithTheRightValueButTheWrongVersion() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.get(20, 30).reads("a", 2);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void indeterminateWriteThatTookEffect() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.putIndeterminate("b", 20);
    h.get(40, 50).reads("b", 2);
    h.put("c", 60, 70).returns(3);

    assertThat(verdict(h)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void indeterminateWriteThatNeverTookEffect() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.putIndeterminate("b", 20);
    h.get(40, 50).reads("a", 1);
    h.put("c", 60, 70).returns(2);
    h.get(1_000, 1_010).reads("c", 2);

    assertThat(verdict(h)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void indeterminateWriteMayTakeEffectLongAfterItsCall() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.putIndeterminate("b", 20);
    h.get(40, 50).reads("a", 1);
    h.get(1_000, 1_010).reads("b", 2);

    assertThat(verdict(h)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void indeterminateWriteTakesEffectAtMostOnce() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.putIndeterminate("b", 20);
    h.get(40, 50).reads("b", 2);
    h.get(60, 70).reads("a", 1);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void indeterminateWriteCannotTakeEffectBeforeItsCall() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.get(20, 30).reads("b", 2);
    h.putIndeterminate("b", 40);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void indeterminateReadIsLeftOut() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.getIndeterminate(20);

    CheckResult result = check(h);

    assertThat(result.verdict()).isEqualTo(LINEARIZABLE);
    assertThat(result.keys().get(0).operations()).isEqualTo(1);
  }

  @Test
  void failedWriteIsIgnored() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.put("b", 20, 30).failed();
    h.get(40, 50).reads("a", 1);

    assertThat(verdict(h)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void theSameWriteWouldBeAViolationHadItSucceeded() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.put("b", 20, 30).returns(2);
    h.get(40, 50).reads("a", 1);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void failedWriteThatWasReadIsAViolation() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.put("b", 20, 30).failed();
    h.get(40, 50).reads("b", 2);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void casAbsentCreatesTheKey() {
    TestHistory h = new TestHistory();
    h.cas(absent(), "a", 0, 10).succeeds(1);
    h.get(20, 30).reads("a", 1);

    assertThat(verdict(h)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void casAbsentFailsOnAnExistingKey() {
    TestHistory ok = new TestHistory();
    ok.put("a", 0, 10).returns(1);
    ok.cas(absent(), "b", 20, 30).failsAt(1);
    TestHistory wrong = new TestHistory();
    wrong.put("a", 0, 10).returns(1);
    wrong.cas(absent(), "b", 20, 30).succeeds(2);

    assertThat(verdict(ok)).isEqualTo(LINEARIZABLE);
    assertThat(verdict(wrong)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void casVersionEqualsOnAnAbsentKeyFailsAtVersionZero() {
    TestHistory h = new TestHistory();
    h.cas(versionEquals(1), "a", 0, 10).failsAt(0);
    h.get(20, 30).readsAbsent();

    assertThat(verdict(h)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void casVersionEqualsSucceedsOnceAndThenFailsAtTheNewVersion() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.cas(versionEquals(1), "b", 20, 30).succeeds(2);
    h.cas(versionEquals(1), "c", 40, 50).failsAt(2);
    h.get(60, 70).reads("b", 2);

    assertThat(verdict(h)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void casValueEquals() {
    TestHistory ok = new TestHistory();
    ok.put("a", 0, 10).returns(1);
    ok.cas(valueEquals("a"), "b", 20, 30).succeeds(2);
    ok.cas(valueEquals("a"), "c", 40, 50).failsAt(2);
    TestHistory wrong = new TestHistory();
    wrong.put("a", 0, 10).returns(1);
    wrong.cas(valueEquals("a"), "b", 20, 30).succeeds(2);
    wrong.cas(valueEquals("a"), "c", 40, 50).succeeds(3);

    assertThat(verdict(ok)).isEqualTo(LINEARIZABLE);
    assertThat(verdict(wrong)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void casFailureMustReportTheCurrentVersion() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.put("b", 20, 30).returns(2);
    h.cas(versionEquals(1), "c", 40, 50).failsAt(1);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void casThatFailedAlthoughItsConditionHeld() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.cas(versionEquals(1), "b", 20, 30).failsAt(1);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void indeterminateCasMayOrMayNotHaveTakenEffect() {
    TestHistory applied = new TestHistory();
    applied.put("a", 0, 10).returns(1);
    applied.casIndeterminate(versionEquals(1), "b", 20);
    applied.get(40, 50).reads("b", 2);
    TestHistory notApplied = new TestHistory();
    notApplied.put("a", 0, 10).returns(1);
    notApplied.casIndeterminate(versionEquals(1), "b", 20);
    notApplied.get(40, 50).reads("a", 1);

    assertThat(verdict(applied)).isEqualTo(LINEARIZABLE);
    assertThat(verdict(notApplied)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void indeterminateCasWhoseConditionCannotHoldNeverWrites() {
    TestHistory h = new TestHistory();
    h.put("a", 0, 10).returns(1);
    h.put("b", 20, 30).returns(2);
    h.casIndeterminate(versionEquals(1), "c", 40);
    h.get(50, 60).reads("c", 3);

    assertThat(verdict(h)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void returnAndCallAtTheSameInstantAreConcurrent() {
    TestHistory tie = new TestHistory();
    tie.put("a", 0, 10).returns(1);
    tie.get(10, 20).readsAbsent();
    TestHistory after = new TestHistory();
    after.put("a", 0, 10).returns(1);
    after.get(11, 20).readsAbsent();

    assertThat(verdict(tie)).isEqualTo(LINEARIZABLE);
    assertThat(verdict(after)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void keysAreJudgedIndependently() {
    TestHistory h = new TestHistory();
    h.on("x").put("a", 0, 10).returns(1);
    h.on("y").put("a", 0, 10).returns(1);
    h.on("x").get(20, 30).reads("a", 1);
    h.on("y").get(20, 30).readsAbsent();

    CheckResult result = check(h);

    assertThat(result.verdict()).isEqualTo(NOT_LINEARIZABLE);
    assertThat(result.keys()).extracting(KeyResult::key).containsExactly("x", "y");
    assertThat(result.keys())
        .extracting(KeyResult::verdict)
        .containsExactly(LINEARIZABLE, NOT_LINEARIZABLE);
  }

  @Test
  void searchThatRunsOutOfTimeIsUnknown() {
    LinearizabilityChecker checker =
        LinearizabilityChecker.forRegisters(
            CheckOptions.DEFAULTS.withTimeouts(Duration.ofMillis(1), Duration.ofSeconds(10)));

    CheckResult result = checker.check(addHardKey(new TestHistory(), "k").operations());

    assertThat(result.verdict()).isEqualTo(UNKNOWN);
    assertThat(result.keys().get(0).unknownReason().orElseThrow()).contains("deadline");
  }

  @Test
  void searchThatRunsOutOfMemoryBudgetIsUnknown() {
    LinearizabilityChecker checker =
        LinearizabilityChecker.forRegisters(
            new CheckOptions(Duration.ofSeconds(10), Duration.ofSeconds(10), 1_000));

    CheckResult result = checker.check(addHardKey(new TestHistory(), "k").operations());

    assertThat(result.verdict()).isEqualTo(UNKNOWN);
    assertThat(result.keys().get(0).unknownReason().orElseThrow()).contains("1000 states");
  }

  @Test
  void unknownKeyMakesTheWholeUnknownButAViolationStillWins() {
    LinearizabilityChecker checker =
        LinearizabilityChecker.forRegisters(
            CheckOptions.DEFAULTS.withTimeouts(Duration.ofMillis(1), Duration.ofSeconds(10)));
    TestHistory unknown = addHardKey(new TestHistory(), "hard");
    unknown.on("fine").put("a", 0, 10).returns(1);
    TestHistory violation = addHardKey(new TestHistory(), "hard");
    violation.on("stale").put("a", 0, 10).returns(1);
    violation.on("stale").get(20, 30).readsAbsent();

    CheckResult unknownResult = checker.check(unknown.operations());
    CheckResult violationResult = checker.check(violation.operations());

    assertThat(unknownResult.verdict()).isEqualTo(UNKNOWN);
    assertThat(violationResult.verdict()).isEqualTo(NOT_LINEARIZABLE);
    assertThat(violationResult.keysWith(UNKNOWN))
        .extracting(KeyResult::key)
        .containsExactly("hard");
  }

  @Test
  void totalTimeoutThatPassedLeavesEveryKeyUnknown() {
    LinearizabilityChecker checker =
        LinearizabilityChecker.forRegisters(
            CheckOptions.DEFAULTS.withTimeouts(Duration.ofSeconds(10), Duration.ZERO));
    TestHistory h = new TestHistory();
    h.on("x").put("a", 0, 10).returns(1);
    h.on("y").put("a", 0, 10).returns(1);

    CheckResult result = checker.check(h.operations());

    assertThat(result.verdict()).isEqualTo(UNKNOWN);
    assertThat(result.keysWith(UNKNOWN)).hasSize(2);
  }

  /**
   * Adds thirty concurrent writes of unknown outcome on {@code key}, then a read of a value none of
   * them wrote. Proving that takes every order of every subset of the writes (some 2^30
   * configurations), far beyond any test's deadline. (Writes that returned their version would not
   * do: the versions fix their order.)
   */
  private static TestHistory addHardKey(TestHistory h, String key) {
    h.on(key);
    for (int i = 0; i < 30; i++) {
      h.putIndeterminate("w" + i, i);
    }
    h.get(100, 200).reads("ghost", 7);
    return h;
  }
}
