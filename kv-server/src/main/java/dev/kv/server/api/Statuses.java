package dev.kv.server.api;

import dev.kv.server.raft.GroupClient;
import dev.kv.statemachine.proto.Rejection;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Maps outcomes to the gRPC status codes of the contract (kv.proto). The rule that matters: a
 * write that may have reached the log is never reported as failed; it is DEADLINE_EXCEEDED
 * (outcome unknown) and safe to retry with the same write id.
 */
final class Statuses {
  private Statuses() {}

  static Status rejection(Rejection rejection) {
    return switch (rejection.getReason()) {
      case SEQUENCE_FORGOTTEN -> Status.FAILED_PRECONDITION.withDescription(rejection.getMessage());
      // Nothing was applied; the node's routing was stale and it refreshes.
      case WRONG_GROUP -> Status.UNAVAILABLE.withDescription(rejection.getMessage());
      case INVALID, REASON_UNSPECIFIED, UNRECOGNIZED -> Status.INVALID_ARGUMENT.withDescription(
          rejection.getMessage());
    };
  }

  static Status writeFailure(Throwable failure, Duration timeout) {
    Throwable cause = unwrap(failure);
    String why = reason(cause, "not committed within " + timeout.toMillis() + " ms");
    return Status.DEADLINE_EXCEEDED
        .withDescription(
            "the write's outcome is unknown (" + why + "); it may or may not have been applied."
                + " Retrying it with the same write_id is safe")
        .withCause(cause);
  }

  static Status readFailure(Throwable failure, Duration timeout) {
    Throwable cause = unwrap(failure);
    String why = reason(cause, "no linearizable read within " + timeout.toMillis() + " ms");
    return Status.UNAVAILABLE
        .withDescription(why + ": the group's leader or a quorum is not reachable from this node")
        .withCause(cause);
  }

  /** Why a request failed: our own timeout, or the exception Ratis reported. */
  private static String reason(Throwable cause, String timedOut) {
    if (cause instanceof TimeoutException) {
      return timedOut;
    }
    Throwable root = cause instanceof GroupClient.RaftFailure && cause.getCause() != null
        ? cause.getCause()
        : cause;
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
