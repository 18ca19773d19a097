package dev.kv.chaos.history;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The shape rules of an operation, which every writer and reader of histories relies on. */
class OperationTest {

  private static Operation put(long ret, Outcome outcome, Output output) {
    return new Operation(1, 0, "k", OpKind.PUT, null, "v", 10, ret, outcome, output, null);
  }

  @Test
  void indeterminateExactlyWhenItNeverReturned() {
    assertThatThrownBy(() -> put(20, Outcome.INDETERMINATE, null))
        .hasMessageContaining("never return");
    assertThatThrownBy(() -> put(Operation.NEVER_RETURNED, Outcome.FAILED, null))
        .hasMessageContaining("never return");
  }

  @Test
  void returnNotBeforeCall() {
    assertThatThrownBy(() -> put(9, Outcome.OK, Output.put(1)))
        .hasMessageContaining("returned at 9, before its call at 10");
  }

  @Test
  void outputExactlyWhenOkAndOfTheRightKind() {
    assertThatThrownBy(() -> put(20, Outcome.OK, null)).hasMessageContaining("output");
    assertThatThrownBy(() -> put(20, Outcome.FAILED, Output.put(1))).hasMessageContaining("output");
    assertThatThrownBy(() -> put(20, Outcome.OK, Output.cas(true, 1)))
        .hasMessageContaining("does not fit PUT");
  }

  @Test
  void conditionExactlyForCasAndValueExactlyForWrites() {
    assertThatThrownBy(
            () -> new Operation(1, 0, "k", OpKind.CAS, null, "v", 1, 2, Outcome.FAILED, null, null))
        .hasMessageContaining("condition");
    assertThatThrownBy(
            () -> new Operation(1, 0, "k", OpKind.GET, null, "v", 1, 2, Outcome.FAILED, null, null))
        .hasMessageContaining("value");
  }

  @Test
  void readThatFoundNothingHasNoValue() {
    assertThatThrownBy(() -> new Output.ReadResult(false, "v", 0)).hasMessageContaining("no value");
    assertThatThrownBy(() -> new Output.ReadResult(true, null, 1))
        .isInstanceOf(NullPointerException.class);
  }
}
