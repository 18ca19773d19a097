package dev.kv.statemachine.apply;

import static dev.kv.statemachine.apply.Commands.b;
import static dev.kv.statemachine.apply.Commands.entry;
import static dev.kv.statemachine.apply.Commands.put;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kv.api.KeyHash;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CommandResult;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.OwnedRange;
import dev.kv.statemachine.proto.Ownership;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import dev.kv.statemachine.proto.Rejection;
import dev.kv.statemachine.proto.ScanQuery;
import dev.kv.statemachine.proto.SetOwnership;
import dev.kv.statemachine.storage.InMemoryKvStore;
import dev.kv.statemachine.storage.StorageKeys;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A group applies and answers only keys whose hash lies in the ranges it was told it owns. */
class OwnershipTest {
  private static final long HALF = 1L << 63;

  private final InMemoryKvStore store = new InMemoryKvStore();
  private final Applier applier = new Applier(store, ApplyConfig.DEFAULTS, OwnedRanges.NOTHING);
  private final Reads reads = new Reads(store, OwnedRanges.NOTHING);
  private long index;

  private static Command own(long epoch, long start, long end) {
    return Command.newBuilder()
        .setSetOwnership(
            SetOwnership.newBuilder()
                .setOwnership(
                    Ownership.newBuilder()
                        .setEpoch(epoch)
                        .addRanges(OwnedRange.newBuilder().setStart(start).setEnd(end))))
        .build();
  }

  private List<CommandResult> apply(Command... commands) {
    return applier.apply(1, ++index, entry(1, commands)).orElseThrow().getResultsList();
  }

  /** A key whose hash is in the lower (true) or upper half of the ring. */
  private static String keyIn(boolean lowerHalf) {
    for (int i = 0; ; i++) {
      String key = "k" + i;
      if ((Long.compareUnsigned(KeyHash.of(key.getBytes()), HALF) < 0) == lowerHalf) {
        return key;
      }
    }
  }

  private ReadResult get(String key) {
    return reads.read(ReadRequest.newBuilder().setGet(GetQuery.newBuilder().setKey(b(key))).build());
  }

  @Test
  void aNewDataGroupOwnsNothingAndRefusesEveryKey() {
    CommandResult result = apply(put("a", "1")).get(0);

    assertThat(result.getRejected().getReason()).isEqualTo(Rejection.Reason.WRONG_GROUP);
    assertThat(result.getRejected().getMessage()).contains("owns nothing");
    assertThat(store.get(StorageKeys.of(b("a")))).isEmpty();
    assertThat(get("a").getRejected().getReason()).isEqualTo(Rejection.Reason.WRONG_GROUP);
  }

  @Test
  void appliesOnlyKeysInItsRangeEvenWithinOneEntry() {
    String lower = keyIn(true);
    String upper = keyIn(false);

    List<CommandResult> results = apply(own(3, 0, HALF), put(lower, "1"), put(upper, "2"));

    assertThat(results.get(0).getSetOwnership().getChanged()).isTrue();
    assertThat(results.get(1).hasPut()).isTrue();
    assertThat(results.get(2).getRejected().getReason()).isEqualTo(Rejection.Reason.WRONG_GROUP);
    assertThat(results.get(2).getRejected().getMessage()).contains("epoch 3");
    assertThat(get(lower).getGet().getFound()).isTrue();
    assertThat(get(upper).getRejected().getReason()).isEqualTo(Rejection.Reason.WRONG_GROUP);
    assertThat(applier.ownership().getEpoch()).isEqualTo(3);
  }

  @Test
  void anOlderOrEqualEpochChangesNothing() {
    apply(own(5, 0, HALF));

    CommandResult stale = apply(own(4, HALF, 0)).get(0);
    CommandResult same = apply(own(5, HALF, 0)).get(0);

    assertThat(stale.getSetOwnership().getChanged()).isFalse();
    assertThat(same.getSetOwnership().getChanged()).isFalse();
    assertThat(applier.ownership().getRanges(0).getEnd()).isEqualTo(HALF);
  }

  @Test
  void ownershipSurvivesAsAppliedState() {
    apply(own(2, HALF, 0));

    Applier reopened = new Applier(store, ApplyConfig.DEFAULTS, OwnedRanges.NOTHING);

    assertThat(reopened.ownership().getEpoch()).isEqualTo(2);
    assertThat(reopened.ownership().getRanges(0).getStart()).isEqualTo(HALF);
  }

  @Test
  void malformedRangesAreRefused() {
    Command overlapping =
        Command.newBuilder()
            .setSetOwnership(
                SetOwnership.newBuilder()
                    .setOwnership(
                        Ownership.newBuilder()
                            .setEpoch(1)
                            .addRanges(OwnedRange.newBuilder().setStart(0).setEnd(HALF + 1))
                            .addRanges(OwnedRange.newBuilder().setStart(HALF).setEnd(0))))
            .build();

    CommandResult result = apply(overlapping, own(1, 7, 7)).get(0);

    assertThat(result.getRejected().getMessage()).contains("overlap");
    assertThat(apply(own(1, 7, 7)).get(0).getRejected().getMessage()).contains("empty or reversed");
    assertThat(applier.ownership().getRangesCount()).isZero();
  }

  @Test
  void aScanStopsAtTheEndOfTheOwnedRangeAndSaysWhere() {
    apply(own(1, 0, HALF));
    List<String> lowerKeys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String key = "s" + i;
      if (apply(put(key, "v")).get(0).hasPut()) {
        lowerKeys.add(key);
      }
    }

    List<String> seen = new ArrayList<>();
    ByteString after = ByteString.EMPTY;
    ReadResult page;
    do {
      page =
          reads.read(
              ReadRequest.newBuilder()
                  .setScan(ScanQuery.newBuilder().setAfter(after).setLimit(7))
                  .build());
      page.getScan().getEntriesList().forEach(e -> seen.add(e.getKey().toStringUtf8()));
      after = page.getScan().getResumeAfter();
    } while (!after.isEmpty());

    assertThat(seen).containsExactlyInAnyOrderElementsOf(lowerKeys);
    assertThat(page.getScan().getRangeEnd()).isEqualTo(HALF);
    ByteString upperStart = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(HALF).flip());
    ReadResult outside =
        reads.read(
            ReadRequest.newBuilder()
                .setScan(ScanQuery.newBuilder().setAfter(upperStart).setLimit(7))
                .build());
    assertThat(outside.getRejected().getReason()).isEqualTo(Rejection.Reason.WRONG_GROUP);
  }
}
