package dev.kv.statemachine.apply;

import static dev.kv.statemachine.apply.Commands.b;
import static dev.kv.statemachine.apply.Commands.entry;
import static dev.kv.statemachine.apply.Commands.put;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CommandResult;
import dev.kv.statemachine.proto.ImportRecord;
import dev.kv.statemachine.proto.LogEntry;
import dev.kv.statemachine.proto.OwnedRange;
import dev.kv.statemachine.proto.Ownership;
import dev.kv.statemachine.proto.Rejection;
import dev.kv.statemachine.proto.StoredValue;
import dev.kv.statemachine.storage.InMemoryKvStore;
import dev.kv.statemachine.storage.StorageKeys;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Restoring a backup's records: versions kept, retries harmless, versions never go backwards. */
class ImportRecordTest {
  private final InMemoryKvStore store = new InMemoryKvStore();
  private final Applier applier =
      new Applier(store, new ApplyConfig(Duration.ofMinutes(10), 3), OwnedRanges.WHOLE_RING);
  private long index;

  private static Command importRecord(String key, String value, long version) {
    return Command.newBuilder()
        .setImportRecord(
            ImportRecord.newBuilder().setKey(b(key)).setValue(b(value)).setVersion(version))
        .build();
  }

  private static LogEntry importEntry(Command... commands) {
    return entry(1_000, commands).toBuilder()
        .setFormatVersion(Applier.formatVersionFor(List.of(commands)))
        .build();
  }

  private CommandResult apply(LogEntry entry) {
    return applier.apply(1, ++index, entry).orElseThrow().getResults(0);
  }

  private Optional<StoredValue> stored(String key) {
    return store.get(StorageKeys.of(b(key)));
  }

  @Test
  void anAbsentKeyGetsTheValueAtExactlyTheImportedVersion() {
    CommandResult result = apply(importEntry(importRecord("k", "v", 42)));

    assertThat(result.getImportRecord().getWritten()).isTrue();
    assertThat(result.getImportRecord().getVersion()).isEqualTo(42);
    assertThat(stored("k")).hasValueSatisfying(v -> {
      assertThat(v.getValue()).isEqualTo(b("v"));
      assertThat(v.getVersion()).isEqualTo(42);
      assertThat(v.getModIndex()).isEqualTo(index);
    });
    // Later writes continue from the imported version.
    assertThat(apply(entry(1_000, put("k", "w"))).getPut().getVersion()).isEqualTo(43);
  }

  @Test
  void aRetriedImportChangesNothing() {
    apply(importEntry(importRecord("k", "v", 7)));
    long modIndex = stored("k").orElseThrow().getModIndex();

    CommandResult retry = apply(importEntry(importRecord("k", "v", 7)));

    assertThat(retry.getImportRecord().getWritten()).isFalse();
    assertThat(retry.getImportRecord().getVersion()).isEqualTo(7);
    assertThat(stored("k").orElseThrow().getModIndex()).isEqualTo(modIndex);
  }

  @Test
  void anExistingKeyNeverGoesBackToAnOlderVersion() {
    for (int i = 0; i < 5; i++) {
      apply(entry(1_000, put("k", "live-" + i)));
    }

    CommandResult older = apply(importEntry(importRecord("k", "backup", 2)));
    assertThat(older.getImportRecord().getVersion()).isEqualTo(6);
    CommandResult newer = apply(importEntry(importRecord("k", "backup2", 20)));
    assertThat(newer.getImportRecord().getVersion()).isEqualTo(20);
    // Importing what the key already holds, at an older version, leaves it alone.
    CommandResult same = apply(importEntry(importRecord("k", "backup2", 3)));
    assertThat(same.getImportRecord().getWritten()).isFalse();
    assertThat(stored("k").orElseThrow().getVersion()).isEqualTo(20);
  }

  @Test
  void versionZeroAndAnEmptyKeyAreRefused() {
    assertThat(apply(importEntry(importRecord("k", "v", 0))).getRejected().getMessage())
        .isEqualTo("an imported record's version must be >= 1");
    assertThat(apply(importEntry(importRecord("", "v", 1))).getRejected().getReason())
        .isEqualTo(Rejection.Reason.INVALID);
    assertThat(stored("k")).isEmpty();
  }

  @Test
  void anImportInAnEntryOfTheOldFormatWritesNothingAsAnOlderBinaryWould() {
    CommandResult result = apply(entry(1_000, importRecord("k", "v", 1)));

    assertThat(result.getRejected().getMessage())
        .isEqualTo("an import_record command needs an entry of format_version 2");
    assertThat(stored("k")).isEmpty();
  }

  @Test
  void onlyEntriesCarryingAnImportNeedTheNewFormat() {
    assertThat(Applier.formatVersionFor(List.of(put("a", "1")))).isEqualTo(Applier.FORMAT_VERSION);
    assertThat(Applier.formatVersionFor(List.of(put("a", "1"), importRecord("b", "2", 1))))
        .isEqualTo(Applier.IMPORT_FORMAT_VERSION);
  }

  @Test
  void aKeyOutsideTheOwnedRangesIsRefusedLikeAnyWrite() {
    Ownership nothingBelowHalf = Ownership.newBuilder().setEpoch(1)
        .addRanges(OwnedRange.newBuilder().setStart(0x8000_0000_0000_0000L).setEnd(0)).build();
    Applier half = new Applier(store, ApplyConfig.DEFAULTS, nothingBelowHalf);
    String key = "k";
    while (Long.compareUnsigned(dev.kv.api.KeyHash.of(b(key).toByteArray()), 0x8000_0000_0000_0000L) >= 0) {
      key = key + "k";
    }

    CommandResult result = half.apply(1, 1, importEntry(importRecord(key, "v", 1))).orElseThrow()
        .getResults(0);

    assertThat(result.getRejected().getReason()).isEqualTo(Rejection.Reason.WRONG_GROUP);
  }
}
