package dev.kv.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** Whether a failed attempt may have been applied, which decides how a write is reported. */
class AttemptFailureTest {
  private static final Endpoint NODE = new Endpoint("node", 7001);

  @Test
  void requestThatNeverLeftCannotHaveBeenApplied() {
    AttemptFailure refused = failure(Status.UNAVAILABLE, false, false);

    assertThat(refused.mayHaveBeenApplied()).isFalse();
    assertThat(refused.connectionRefused()).isTrue();
  }

  @Test
  void failureAfterSendingWithoutAnAnswerMayHaveBeenApplied() {
    assertThat(failure(Status.DEADLINE_EXCEEDED, true, false).mayHaveBeenApplied()).isTrue();
    // A connection reset after the request went out.
    assertThat(failure(Status.UNAVAILABLE, true, false).mayHaveBeenApplied()).isTrue();
    assertThat(failure(Status.UNAVAILABLE, true, false).connectionRefused()).isFalse();
    // A reply over the client's size limit: the server did the work.
    assertThat(failure(Status.RESOURCE_EXHAUSTED, true, false).mayHaveBeenApplied()).isTrue();
    assertThat(failure(Status.CANCELLED, true, false).mayHaveBeenApplied()).isTrue();
  }

  @Test
  void serverAnswersTrustTheContract() {
    assertThat(failure(Status.UNAVAILABLE, true, true).mayHaveBeenApplied()).isFalse();
    assertThat(failure(Status.ABORTED, true, true).mayHaveBeenApplied()).isFalse();
    assertThat(failure(Status.INVALID_ARGUMENT, true, true).mayHaveBeenApplied()).isFalse();
    assertThat(failure(Status.DEADLINE_EXCEEDED, true, true).mayHaveBeenApplied()).isTrue();
    assertThat(failure(Status.UNKNOWN, true, true).mayHaveBeenApplied()).isTrue();
    assertThat(failure(Status.INTERNAL, true, true).mayHaveBeenApplied()).isTrue();
  }

  @Test
  void describeNamesCodeMessageCauseAndEndpoint() {
    Status status =
        Status.UNAVAILABLE
            .withDescription("io exception")
            .withCause(new java.net.ConnectException("Connection refused"));

    assertThat(failure(status, false, false).describe())
        .isEqualTo("UNAVAILABLE: io exception: Connection refused (on node:7001)");
  }

  private static AttemptFailure failure(Status status, boolean sent, boolean answered) {
    return new AttemptFailure(NODE, status, status.asRuntimeException(), sent, answered);
  }
}
