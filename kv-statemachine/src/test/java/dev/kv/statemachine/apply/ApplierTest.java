package dev.kv.statemachine.apply;

import static dev.kv.statemachine.apply.Commands.absent;
import static dev.kv.statemachine.apply.Commands.b;
import static dev.kv.statemachine.apply.Commands.cas;
import static dev.kv.statemachine.apply.Commands.delete;
import static dev.kv.statemachine.apply.Commands.entry;
import static dev.kv.statemachine.apply.Commands.put;
import static dev.kv.statemachine.apply.Commands.valueEquals;
import static dev.kv.statemachine.apply.Commands.versionEquals;
import static dev.kv.statemachine.apply.Commands.withId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CommandResult;
import dev.kv.statemachine.proto.EntryResult;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.GetResult;
import dev.kv.statemachine.proto.LogEntry;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.Rejection;
import dev.kv.statemachine.storage.InMemoryKvStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ApplierTest {
  private final InMemoryKvStore store = new InMemoryKvStore();
  private final Applier applier =
      new Applier(store, new ApplyConfig(Duration.ofMinutes(10), 3), OwnedRanges.WHOLE_RING);
  private final Reads reads = new Reads(store, OwnedRanges.WHOLE_RING);
  private long index;

  private CommandResult applyOne(Command command) {
    return applyEntry(entry(1_000, command)).getResults(0);
  }

  private EntryResult applyEntry(LogEntry entry) {
    return applier.apply(1, ++index, entry).orElseThrow();
  }

  private GetResult get(String key) {
    return reads
        .read(ReadRequest.newBuilder().setGet(GetQuery.newBuilder().setKey(b(key))).build())
        .getGet();
  }

  @Test
  void versionsStartAtOneAndGrowByOnePerWrite() {
    assertThat(applyOne(put("k", "a")).getPut().getVersion()).isEqualTo(1);
    assertThat(applyOne(put("k", "b")).getPut().getVersion()).isEqualTo(2);
    assertThat(get("k").getValue()).isEqualTo(b("b"));
    assertThat(get("k").getVersion()).isEqualTo(2);
    assertThat(store.get(dev.kv.statemachine.storage.StorageKeys.of(b("k"))).orElseThrow().getModIndex())
        .isEqualTo(2);
  }

  @Test
  void deleteReportsWhetherTheKeyExistedAndRecreationStartsAtVersionOne() {
    applyOne(put("k", "a"));
    assertThat(applyOne(delete("k")).getDelete().getExisted()).isTrue();
    assertThat(get("k").getFound()).isFalse();
    assertThat(applyOne(delete("k")).getDelete().getExisted()).isFalse();
    assertThat(applyOne(put("k", "again")).getPut().getVersion()).isEqualTo(1);
  }

  @Test
  void compareAndSetOnVersion() {
    applyOne(put("k", "a"));
    CommandResult failed = applyOne(cas("k", versionEquals(5), "x"));
    assertThat(failed.getCompareAndSet().getSucceeded()).isFalse();
    assertThat(failed.getCompareAndSet().getVersion()).isEqualTo(1);
    assertThat(get("k").getValue()).isEqualTo(b("a"));

    CommandResult ok = applyOne(cas("k", versionEquals(1), "x"));
    assertThat(ok.getCompareAndSet().getSucceeded()).isTrue();
    assertThat(ok.getCompareAndSet().getVersion()).isEqualTo(2);
    assertThat(get("k").getValue()).isEqualTo(b("x"));
  }

  @Test
  void compareAndSetOnValueAndDeleteAction() {
    applyOne(put("k", "a"));
    assertThat(applyOne(cas("k", valueEquals("b"), null)).getCompareAndSet().getSucceeded()).isFalse();
    CommandResult deleted = applyOne(cas("k", valueEquals("a"), null));
    assertThat(deleted.getCompareAndSet().getSucceeded()).isTrue();
    assertThat(deleted.getCompareAndSet().getVersion()).isZero();
    assertThat(get("k").getFound()).isFalse();
    assertThat(applyOne(cas("k", valueEquals("a"), "z")).getCompareAndSet().getSucceeded()).isFalse();
  }

  @Test
  void createIfAbsentSucceedsOnlyOnce() {
    assertThat(applyOne(cas("k", absent(), "first")).getCompareAndSet().getVersion()).isEqualTo(1);
    CommandResult second = applyOne(cas("k", absent(), "second"));
    assertThat(second.getCompareAndSet().getSucceeded()).isFalse();
    assertThat(second.getCompareAndSet().getVersion()).isEqualTo(1);
    assertThat(get("k").getValue()).isEqualTo(b("first"));
  }

  @Test
  void malformedCommandsAreDeterministicRejectionsNotFailures() {
    assertThat(applyOne(put("", "v")).getRejected().getMessage()).contains("key is empty");
    assertThat(applyOne(Command.getDefaultInstance()).getRejected().getMessage())
        .contains("no operation");
    assertThat(applyOne(cas("k", versionEquals(0), "v")).getRejected().getMessage())
        .contains("version_equals must be >= 1");
    assertThat(
            applyOne(cas("k", dev.kv.statemachine.proto.Condition.getDefaultInstance(), "v"))
                .getRejected()
                .getReason())
        .isEqualTo(Rejection.Reason.INVALID);
    assertThat(store.appliedState().getIndex()).isEqualTo(index);
  }

  @Test
  void laterCommandsInOneEntrySeeEarlierOnes() {
    EntryResult result =
        applyEntry(entry(1_000, put("k", "a"), put("k", "b"), cas("k", versionEquals(2), "c")));
    assertThat(result.getResults(1).getPut().getVersion()).isEqualTo(2);
    assertThat(result.getResults(2).getCompareAndSet().getSucceeded()).isTrue();
    assertThat(get("k").getVersion()).isEqualTo(3);
    assertThat(result.getIndex()).isEqualTo(index);
  }

  @Test
  void retriedWriteIsAnsweredWithTheFirstResultAndNotAppliedTwice() {
    Command first = withId(put("k", "a"), "c1", 1, 1);
    assertThat(applyOne(first).getPut().getVersion()).isEqualTo(1);
    applyOne(put("k", "other"));
    // The retry arrives after someone else wrote: it must not bump the version again.
    assertThat(applyOne(first).getPut().getVersion()).isEqualTo(1);
    assertThat(get("k").getVersion()).isEqualTo(2);
    assertThat(get("k").getValue()).isEqualTo(b("other"));
  }

  @Test
  void duplicateWithinOneEntryAppliesOnce() {
    Command c = withId(put("k", "a"), "c1", 1, 1);
    EntryResult result = applyEntry(entry(1_000, c, c));
    assertThat(result.getResults(0)).isEqualTo(result.getResults(1));
    assertThat(get("k").getVersion()).isEqualTo(1);
  }

  @Test
  void acknowledgedResultsAreForgottenAndTheirRetriesRefused() {
    applyOne(withId(put("k", "a"), "c1", 1, 1));
    applyOne(withId(put("k", "b"), "c1", 2, 2));
    CommandResult stale = applyOne(withId(put("k", "a"), "c1", 1, 1));
    assertThat(stale.getRejected().getReason()).isEqualTo(Rejection.Reason.SEQUENCE_FORGOTTEN);
    assertThat(stale.getRejected().getMessage()).contains("sequence 1").contains("window (2)");
    assertThat(get("k").getVersion()).isEqualTo(2);
  }

  @Test
  void outOfOrderSequencesInsideTheWindowEachApplyOnce() {
    applyOne(withId(put("a", "1"), "c1", 2, 1));
    applyOne(withId(put("b", "1"), "c1", 1, 1));
    applyOne(withId(put("b", "1"), "c1", 1, 1));
    assertThat(get("a").getVersion()).isEqualTo(1);
    assertThat(get("b").getVersion()).isEqualTo(1);
  }

  @Test
  void aClientThatNeverAcknowledgesKeepsOnlyTheNewestResults() {
    for (int seq = 1; seq <= 5; seq++) {
      applyOne(withId(put("k", "v" + seq), "c1", seq, 1));
    }
    // maxResultsPerSession is 3: sequences 1 and 2 were forgotten, 3..5 are remembered.
    assertThat(applyOne(withId(put("k", "x"), "c1", 2, 1)).getRejected().getReason())
        .isEqualTo(Rejection.Reason.SEQUENCE_FORGOTTEN);
    assertThat(applyOne(withId(put("k", "x"), "c1", 3, 1)).getPut().getVersion()).isEqualTo(3);
    assertThat(get("k").getVersion()).isEqualTo(5);
  }

  @Test
  void invalidWriteIdsAreRejected() {
    assertThat(applyOne(withId(put("k", "a"), "c1", 0, 0)).getRejected().getMessage())
        .contains("sequence must be >= 1");
    assertThat(applyOne(withId(put("k", "a"), "c1", 3, 4)).getRejected().getMessage())
        .contains("acked_below 4 is above");
    assertThat(get("k").getFound()).isFalse();
  }

  @Test
  void sessionsOfIdleClientsExpireByTheLogsClockNotTheReplicas() {
    applyEntry(entry(1_000, withId(put("k", "a"), "idle", 1, 1)));
    applyEntry(entry(1_000 + Duration.ofMinutes(5).toMillis(), withId(put("x", "1"), "busy", 1, 1)));
    assertThat(store.session(withId(put("k", "a"), "idle", 1, 1).getWriteId().getClientId())).isPresent();

    applyEntry(entry(1_000 + Duration.ofMinutes(11).toMillis(), put("y", "1")));
    assertThat(store.session(withId(put("k", "a"), "idle", 1, 1).getWriteId().getClientId())).isEmpty();
    assertThat(store.session(withId(put("k", "a"), "busy", 1, 1).getWriteId().getClientId())).isPresent();

    // A proposer with a clock behind the log's clock does not move time backwards, and the
    // result tells proposers the group's clock (they stamp their next entries from it).
    var result = applyEntry(entry(0, put("z", "1")));
    assertThat(store.appliedState().getClockMillis()).isEqualTo(1_000 + Duration.ofMinutes(11).toMillis());
    assertThat(result.getClockMillis()).isEqualTo(1_000 + Duration.ofMinutes(11).toMillis());
  }

  @Test
  void entriesAtOrBelowTheAppliedIndexAreSkipped() {
    applyOne(put("k", "a"));
    assertThat(applier.apply(1, index, entry(1_000, put("k", "b")))).isEmpty();
    assertThat(applier.apply(1, index - 1, entry(1_000, put("k", "c")))).isEmpty();
    assertThat(get("k").getValue()).isEqualTo(b("a"));
    assertThat(get("k").getVersion()).isEqualTo(1);
  }

  @Test
  void anEntryInAnUnknownFormatStopsApplyAndChangesNothing() {
    LogEntry future = entry(1_000, put("k", "a")).toBuilder().setFormatVersion(3).build();
    assertThatThrownBy(() -> applier.apply(1, 1, future))
        .isInstanceOf(UnsupportedLogFormatException.class)
        .hasMessageContaining("format_version 3")
        .hasMessageContaining("upgrade");
    assertThat(store.appliedState().getIndex()).isZero();
    assertThat(get("k").getFound()).isFalse();
  }
}
