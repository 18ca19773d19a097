package dev.kv.client.testing;

import io.grpc.Status;
import java.util.concurrent.CompletionStage;

/** What {@link FakeKvServer} does with one call instead of (or besides) answering it. */
public sealed interface Fault {

  /** Answer with this status without touching the store. */
  static Fault respond(Status status) {
    return new Respond(status);
  }

  /** Never answer; the client's attempt timeout ends the call. The store is not touched. */
  static Fault hang() {
    return new Hang(false);
  }

  /** Apply the request, then never answer: a reply lost after the write took effect. */
  static Fault applyThenHang() {
    return new Hang(true);
  }

  /**
   * Answer normally, but only once {@code gate} completes: lets a test act between sending a call
   * and receiving its reply without guessing how long the reply takes.
   */
  static Fault answerAfter(CompletionStage<?> gate) {
    return new AnswerAfter(gate);
  }

  record Respond(Status status) implements Fault {}

  record Hang(boolean apply) implements Fault {}

  record AnswerAfter(CompletionStage<?> gate) implements Fault {}
}
