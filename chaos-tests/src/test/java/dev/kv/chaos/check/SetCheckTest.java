package dev.kv.chaos.check;

import static dev.kv.chaos.check.SetCheck.AddOutcome.FAILED;
import static dev.kv.chaos.check.SetCheck.AddOutcome.INDETERMINATE;
import static dev.kv.chaos.check.SetCheck.AddOutcome.OK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.chaos.check.SetCheck.Add;
import dev.kv.chaos.check.SetCheck.Read;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SetCheckTest {
  private static final Add A = new Add("a", 0, 10, OK);
  private static final Add B = new Add("b", 20, 30, OK);
  private static final Add MAYBE = new Add("m", 5, 50, INDETERMINATE);
  private static final Add NEVER = new Add("f", 5, 8, FAILED);

  @Test
  void aHistoryWhereEveryReadHoldsWhatItMustIsValid() {
    SetCheck.Result r = SetCheck.check(List.of(A, B, MAYBE, NEVER),
        List.of(new Read(12, 18, Set.of("a")), new Read(25, 40, Set.of("a", "b", "m"))),
        Optional.of(new Read(100, 110, Set.of("a", "b", "m"))));

    assertThat(r.violations()).isEmpty();
    assertThat(r.reads()).isEqualTo(3);
    assertThat(r.finalElements()).isEqualTo(3);
    assertThat(r.adds()).containsEntry(OK, 2L).containsEntry(INDETERMINATE, 1L)
        .containsEntry(FAILED, 1L);
  }

  @Test
  void anIndeterminateAddMayNeverShowUp() {
    assertThat(SetCheck.check(List.of(A, MAYBE), List.of(),
        Optional.of(new Read(100, 110, Set.of("a")))).valid()).isTrue();
  }

  @Test
  void theFinalReadMustHoldEveryAcknowledgedAdd() {
    SetCheck.Result r = SetCheck.check(List.of(A, B), List.of(),
        Optional.of(new Read(100, 110, Set.of("a"))));

    assertThat(r.violations()).singleElement().asString()
        .contains("the final read missed elements acknowledged before it began: 1 (b)");
  }

  @Test
  void aReadMissingAnAddAcknowledgedBeforeItBeganIsStale() {
    SetCheck.Result r = SetCheck.check(List.of(A, B),
        List.of(new Read(35, 40, Set.of("a"))), Optional.of(new Read(100, 110, Set.of("a", "b"))));

    assertThat(r.violations()).singleElement().asString()
        .contains("a read missed elements acknowledged before it began: 1 (b)");
  }

  @Test
  void aReadConcurrentWithAnAddMayMissIt() {
    assertThat(SetCheck.check(List.of(A, B), List.of(new Read(25, 40, Set.of("a"))),
        Optional.of(new Read(100, 110, Set.of("a", "b")))).valid()).isTrue();
  }

  @Test
  void elementsThatFailedWereNeverAddedOrCameFromTheFutureAreViolations() {
    SetCheck.Result r = SetCheck.check(List.of(A, B, NEVER),
        List.of(new Read(11, 15, Set.of("a", "b"))),
        Optional.of(new Read(100, 110, Set.of("a", "b", "f", "ghost"))));

    assertThat(r.violations()).anySatisfy(v -> assertThat(v)
        .contains("the final read held elements nobody added: 1 (ghost)"));
    assertThat(r.violations()).anySatisfy(v -> assertThat(v)
        .contains("the final read held elements whose add definitely failed: 1 (f)"));
    assertThat(r.violations()).anySatisfy(v -> assertThat(v)
        .contains("a read held elements added only after it ended: 1 (b)"));
  }

  @Test
  void anElementSeenOnceMustNotVanishFromALaterRead() {
    SetCheck.Result r = SetCheck.check(List.of(A, MAYBE),
        List.of(new Read(12, 20, Set.of("a", "m"))), Optional.of(new Read(100, 110, Set.of("a"))));

    assertThat(r.violations()).singleElement().asString()
        .contains("elements an earlier read saw were gone from a later one: 1 (m)");
  }

  @Test
  void withoutAFinalReadNoAcknowledgedAddIsConfirmed() {
    assertThat(SetCheck.check(List.of(A), List.of(), Optional.empty()).violations())
        .singleElement().asString().contains("no final read was answered");
    assertThat(SetCheck.check(List.of(NEVER), List.of(), Optional.empty()).valid()).isTrue();
  }
}
