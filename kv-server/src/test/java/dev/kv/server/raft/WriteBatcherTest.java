package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kv.server.api.AppliedWrite;
import dev.kv.server.api.NotServingException;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CommandResult;
import dev.kv.statemachine.proto.EntryResult;
import dev.kv.statemachine.proto.LogEntry;
import dev.kv.statemachine.proto.Put;
import dev.kv.statemachine.proto.PutResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Group commit, against a log whose entries complete when the test says so. */
class WriteBatcherTest {
  /** Entries handed to the "log", each with the future the test completes. */
  record Sent(LogEntry entry, CompletableFuture<EntryResult> result) {
    /** Completes the entry as the state machine would: one put result per command. */
    void apply(long index) {
      apply(index, 0);
    }

    /** Completes the entry with the group's clock at {@code clockMillis} after it. */
    void apply(long index, long clockMillis) {
      EntryResult.Builder r = EntryResult.newBuilder().setIndex(index).setClockMillis(clockMillis);
      for (int i = 0; i < entry.getCommandsCount(); i++) {
        r.addResults(
            CommandResult.newBuilder().setPut(PutResult.newBuilder().setVersion(i + 1)).build());
      }
      result.complete(r.build());
    }
  }

  private final List<Sent> sent = new ArrayList<>();
  /** This node's monotonic clock, moved by the tests. */
  private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

  private WriteBatcher batcher(int maxCommands, int maxBytes, int maxInFlight, int maxQueued) {
    return new WriteBatcher(
        entry -> {
          CompletableFuture<EntryResult> f = new CompletableFuture<>();
          sent.add(new Sent(entry, f));
          return f;
        },
        new GroupClock(nanos::get),
        maxCommands,
        maxBytes,
        maxInFlight,
        maxQueued);
  }

  static Command put(String key, int valueBytes) {
    return Command.newBuilder()
        .setPut(
            Put.newBuilder()
                .setKey(ByteString.copyFromUtf8(key))
                .setValue(ByteString.copyFrom(new byte[valueBytes])))
        .build();
  }

  @Test
  void onlyAnEntryCarryingAnImportIsWrittenInTheImportFormat() {
    WriteBatcher b = batcher(100, 1 << 20, 1, 1000);
    b.write(put("a", 1));
    b.write(put("b", 1));
    b.write(
        Command.newBuilder()
            .setImportRecord(
                dev.kv.statemachine.proto.ImportRecord.newBuilder()
                    .setKey(ByteString.copyFromUtf8("c"))
                    .setVersion(3))
            .build());
    sent.get(0).apply(1);

    assertThat(sent).hasSize(2);
    assertThat(sent.get(0).entry().getFormatVersion())
        .isEqualTo(dev.kv.statemachine.apply.Applier.FORMAT_VERSION);
    assertThat(sent.get(1).entry().getCommandsCount()).isEqualTo(2);
    assertThat(sent.get(1).entry().getFormatVersion())
        .isEqualTo(dev.kv.statemachine.apply.Applier.IMPORT_FORMAT_VERSION);
  }

  /**
   * Entries carry the group's clock from the last result, moved on by this node's monotonic clock:
   * no wall clock, so a node whose wall clock is hours off cannot push the group's clock (and the
   * expiry of every client's idempotency record) forward.
   */
  @Test
  void entriesAreStampedWithTheGroupsClockCarriedForwardByTheMonotonicClock() {
    WriteBatcher b = batcher(100, 1 << 20, 1, 1000);
    b.write(put("a", 1));
    assertThat(sent.get(0).entry().getProposedAtMillis())
        .as("nothing seen yet: the group keeps the larger clock it has")
        .isZero();

    sent.get(0).apply(1, 1_700_000_000_000L);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(250));
    b.write(put("b", 1));
    assertThat(sent.get(1).entry().getProposedAtMillis()).isEqualTo(1_700_000_000_250L);

    // A result with an older clock (another proposer lagging) does not move the stamp back.
    sent.get(1).apply(2, 1_600_000_000_000L);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
    b.write(put("c", 1));
    assertThat(sent.get(2).entry().getProposedAtMillis()).isEqualTo(1_700_000_000_350L);
  }

  @Test
  void aBarrierOnAnIdleGroupProposesAnEmptyEntryAtOnce() {
    WriteBatcher b = batcher(100, 1 << 20, 1, 1000);

    CompletableFuture<Long> barrier = b.barrier();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).entry().getCommandsCount()).isZero();
    assertThat(barrier).isNotDone();

    sent.get(0).apply(7);
    assertThat(barrier).isCompletedWithValue(7L);
  }

  /**
   * A barrier proves what was committed before it was asked for only through an entry proposed
   * after that: never the one already in flight.
   */
  @Test
  void aBarrierRidesOnTheNextEntryNeverOnOneAlreadyInFlight() {
    WriteBatcher b = batcher(100, 1 << 20, 1, 1000);
    b.write(put("a", 1));
    CompletableFuture<Long> barrier = b.barrier();
    CompletableFuture<AppliedWrite> queued = b.write(put("b", 1));
    assertThat(sent).as("one entry in flight at most").hasSize(1);

    sent.get(0).apply(1);
    assertThat(barrier).as("the entry proposed before the barrier").isNotDone();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).entry().getCommandsList())
        .as("the barrier rides on the queued write: no entry of its own")
        .containsExactly(put("b", 1));

    sent.get(1).apply(2);
    assertThat(barrier).isCompletedWithValue(2L);
    assertThat(queued.join().index()).isEqualTo(2);
    assertThat(sent).hasSize(2);
  }

  @Test
  void aBarrierWhoseEntryCannotBeProposedFails() {
    WriteBatcher b =
        new WriteBatcher(
            entry -> {
              throw new IllegalStateException("not the leader");
            },
            new GroupClock(nanos::get),
            100,
            1 << 20,
            1,
            1000);

    assertThatThrownBy(() -> b.barrier().join())
        .isInstanceOf(CompletionException.class)
        .hasRootCauseMessage("not the leader");
    assertThat(b.barrier())
        .as("the failed entry does not stay in flight: the next barrier is proposed too")
        .isCompletedExceptionally();
  }

  @Test
  void writesArrivingWhileAnEntryIsInFlightShareTheNextEntryInOrder() {
    WriteBatcher b = batcher(100, 1 << 20, 1, 1000);
    CompletableFuture<AppliedWrite> first = b.write(put("a", 1));
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).entry().getCommandsCount()).isEqualTo(1);

    List<CompletableFuture<AppliedWrite>> waiting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiting.add(b.write(put("k" + i, 1)));
    }
    assertThat(sent).as("nothing more is sent while the first entry is in flight").hasSize(1);
    assertThat(b.queued()).isEqualTo(5);

    sent.get(0).apply(7);
    assertThat(first.join().index()).isEqualTo(7);
    assertThat(sent).hasSize(2);
    LogEntry batch = sent.get(1).entry();
    assertThat(batch.getCommandsList())
        .extracting(c -> c.getPut().getKey().toStringUtf8())
        .containsExactly("k0", "k1", "k2", "k3", "k4");

    sent.get(1).apply(8);
    for (int i = 0; i < 5; i++) {
      AppliedWrite w = waiting.get(i).join();
      assertThat(w.index()).isEqualTo(8);
      assertThat(w.result().getPut().getVersion()).as("each write gets its own result").isEqualTo(i + 1);
    }
  }

  @Test
  void batchesRespectTheCountAndByteBoundsButAlwaysCarryOneWrite() {
    WriteBatcher b = batcher(3, 250, 1, 1000);
    b.write(put("first", 1));
    for (int i = 0; i < 4; i++) {
      b.write(put("small" + i, 10));
    }
    b.write(put("huge", 1000));
    sent.get(0).apply(1);
    assertThat(sent.get(1).entry().getCommandsCount()).as("count bound").isEqualTo(3);
    sent.get(1).apply(2);
    assertThat(sent.get(2).entry().getCommandsCount())
        .as("byte bound: the huge write does not join")
        .isEqualTo(1);
    sent.get(2).apply(3);
    assertThat(sent.get(3).entry().getCommands(0).getPut().getKey().toStringUtf8())
        .as("a write larger than the byte bound still goes, alone")
        .isEqualTo("huge");
  }

  @Test
  void severalEntriesMayBeInFlight() {
    WriteBatcher b = batcher(100, 1 << 20, 2, 1000);
    b.write(put("a", 1));
    b.write(put("b", 1));
    b.write(put("c", 1));
    assertThat(sent).hasSize(2);
    sent.get(1).apply(2);
    assertThat(sent).hasSize(3);
  }

  @Test
  void aFailedEntryFailsEveryWriteItCarriedAndTheNextEntryStillGoes() {
    WriteBatcher b = batcher(100, 1 << 20, 1, 1000);
    b.write(put("a", 1));
    CompletableFuture<AppliedWrite> x = b.write(put("x", 1));
    CompletableFuture<AppliedWrite> y = b.write(put("y", 1));
    sent.get(0).apply(1);
    sent.get(1).result().completeExceptionally(new RuntimeException("no quorum"));
    assertThatThrownBy(x::join).isInstanceOf(CompletionException.class).hasMessageContaining("no quorum");
    assertThatThrownBy(y::join).hasMessageContaining("no quorum");

    CompletableFuture<AppliedWrite> z = b.write(put("z", 1));
    assertThat(sent).hasSize(3);
    sent.get(2).apply(3);
    assertThat(z.join().index()).isEqualTo(3);
  }

  @Test
  void aFullQueueRefusesNewWritesWithoutQueueingThem() {
    WriteBatcher b = batcher(100, 1 << 20, 1, 2);
    b.write(put("in-flight", 1));
    b.write(put("q1", 1));
    b.write(put("q2", 1));
    assertThatThrownBy(() -> b.write(put("q3", 1)))
        .isInstanceOf(NotServingException.class)
        .hasMessageContaining("2 writes waiting")
        .hasMessageContaining("the limit is 2");
    sent.get(0).apply(1);
    assertThat(sent.get(1).entry().getCommandsCount()).isEqualTo(2);
  }
}
