package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kv.server.api.NotServingException;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.GetResult;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Shared ReadIndex rounds, against barriers the test completes by hand. */
class ReadBarrierTest {
  private final List<CompletableFuture<Object>> barriers = new ArrayList<>();
  /** The local replica's applied index, which the test moves like the apply thread would. */
  private final AtomicLong applied = new AtomicLong();

  private final ReadBarrier reads =
      new ReadBarrier(
          () -> {
            CompletableFuture<Object> b = new CompletableFuture<>();
            barriers.add(b);
            return b;
          },
          read ->
              ReadResult.newBuilder()
                  .setAppliedIndex(applied.get())
                  .setGet(GetResult.newBuilder().setValue(read.getGet().getKey()))
                  .build(),
          3);

  static ReadRequest get(String key) {
    return ReadRequest.newBuilder()
        .setGet(GetQuery.newBuilder().setKey(ByteString.copyFromUtf8(key)))
        .build();
  }

  @Test
  void readsWaitingWhenABarrierIsSentAreServedByIt() {
    CompletableFuture<ReadResult> a = reads.read(get("a"));
    assertThat(barriers).hasSize(1);
    assertThat(a).isNotDone();

    applied.set(10);
    barriers.get(0).complete(null);
    assertThat(a.join().getGet().getValue().toStringUtf8()).isEqualTo("a");
    assertThat(a.join().getAppliedIndex()).isEqualTo(10);
  }

  @Test
  void aReadArrivingWhileABarrierIsInFlightWaitsForTheNextBarrier() {
    CompletableFuture<ReadResult> early = reads.read(get("early"));
    CompletableFuture<ReadResult> late1 = reads.read(get("late1"));
    CompletableFuture<ReadResult> late2 = reads.read(get("late2"));
    assertThat(barriers).as("one barrier at a time").hasSize(1);

    barriers.get(0).complete(null);
    assertThat(early).isDone();
    // The first barrier may have fixed its read index before the late reads arrived.
    assertThat(late1).isNotDone();
    assertThat(late2).isNotDone();
    assertThat(barriers).as("the late reads share the next barrier").hasSize(2);

    barriers.get(1).complete(null);
    assertThat(late1.join().getGet().getValue().toStringUtf8()).isEqualTo("late1");
    assertThat(late2).isDone();
    assertThat(barriers).hasSize(2);
  }

  @Test
  void aFailedBarrierFailsTheReadsItCoveredAndTheNextOneStillGoes() {
    CompletableFuture<ReadResult> a = reads.read(get("a"));
    CompletableFuture<ReadResult> b = reads.read(get("b"));
    barriers.get(0).completeExceptionally(new RuntimeException("leader unknown"));
    assertThat(a).isCompletedExceptionally();
    assertThat(b).isNotDone();
    barriers.get(1).complete(null);
    assertThat(b.join().getGet().getValue().toStringUtf8()).isEqualTo("b");
  }

  @Test
  void tooManyWaitingReadsAreRefused() {
    reads.read(get("in-flight"));
    reads.read(get("w1"));
    reads.read(get("w2"));
    reads.read(get("w3"));
    assertThatThrownBy(() -> reads.read(get("w4")))
        .isInstanceOf(NotServingException.class)
        .hasMessageContaining("3 linearizable reads waiting (the limit is 3)");
  }

  @Test
  void barriersThatCompleteAtOnceServeEveryReadWithoutNesting() {
    // A group of one voter confirms its leadership at once; a read that arrives while the
    // barrier's callback serves others must still be served, by the next barrier.
    List<CompletableFuture<ReadResult>> results = new ArrayList<>();
    int[] depth = {0};
    int[] deepest = {0};
    ReadBarrier[] immediate = new ReadBarrier[1];
    immediate[0] =
        new ReadBarrier(
            () -> CompletableFuture.completedFuture(null),
            read -> {
              depth[0]++;
              deepest[0] = Math.max(deepest[0], depth[0]);
              if (results.size() < 1000) {
                results.add(immediate[0].read(get("next")));
              }
              depth[0]--;
              return ReadResult.getDefaultInstance();
            },
            10);
    results.add(immediate[0].read(get("first")));
    // The 1000 reads made while serving, and the first.
    assertThat(results).hasSize(1001).allSatisfy(r -> assertThat(r).isCompleted());
    assertThat(deepest[0]).as("reads served one level deep, not recursively").isEqualTo(1);
  }
}
