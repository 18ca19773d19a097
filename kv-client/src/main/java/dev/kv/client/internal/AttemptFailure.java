package dev.kv.client.internal;

import io.grpc.Status;
import java.util.Set;

/**
 * One failed attempt and what it implies: whether it may have been applied, and whether the
 * endpoint refused the connection.
 *
 * @param error the exception gRPC reported, kept as the cause of what the caller sees
 */
record AttemptFailure(
    Endpoint endpoint,
    Status status,
    Throwable error,
    boolean requestSent,
    boolean serverAnswered) {

  /**
   * Codes with which the server promises, per kv.proto, that it did not apply the request. Any
   * other code from the server (DEADLINE_EXCEEDED, UNKNOWN, INTERNAL, ...) leaves it open.
   */
  private static final Set<Status.Code> ANSWERED_NOT_APPLIED =
      Set.of(
          Status.Code.UNAVAILABLE,
          Status.Code.ABORTED,
          Status.Code.INVALID_ARGUMENT,
          Status.Code.FAILED_PRECONDITION,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.NOT_FOUND,
          Status.Code.ALREADY_EXISTS,
          Status.Code.OUT_OF_RANGE,
          Status.Code.PERMISSION_DENIED,
          Status.Code.UNAUTHENTICATED,
          Status.Code.UNIMPLEMENTED);

  static AttemptFailure of(Endpoint endpoint, Throwable error, AttemptProgress progress) {
    return new AttemptFailure(
        endpoint,
        Status.fromThrowable(error),
        error,
        progress.requestSent(),
        progress.serverAnswered());
  }

  Status.Code code() {
    return status.getCode();
  }

  /**
   * Whether this attempt may have changed the store. Without a status from the server, only a
   * request that never left this process is known not to have been applied; that includes statuses
   * the client library made up after sending, such as a reply over the size limit.
   */
  boolean mayHaveBeenApplied() {
    if (serverAnswered) {
      return !ANSWERED_NOT_APPLIED.contains(code());
    }
    return requestSent;
  }

  /** The node could not be reached at all, as opposed to answering or timing out. */
  boolean connectionRefused() {
    return code() == Status.Code.UNAVAILABLE && !requestSent && !serverAnswered;
  }

  /** "UNAVAILABLE: io exception: Connection refused (on host:port)", for messages. */
  String describe() {
    StringBuilder text = new StringBuilder(code().toString());
    if (status.getDescription() != null) {
      text.append(": ").append(status.getDescription());
    }
    // gRPC's description of a transport failure is often just "io exception"; the cause says
    // what happened.
    Throwable cause = status.getCause();
    if (cause != null && cause.getMessage() != null) {
      text.append(": ").append(cause.getMessage());
    }
    return text.append(" (on ").append(endpoint).append(')').toString();
  }
}
