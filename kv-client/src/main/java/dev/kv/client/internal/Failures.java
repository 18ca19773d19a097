package dev.kv.client.internal;

import dev.kv.client.KvException;
import dev.kv.client.KvFailedPreconditionException;
import dev.kv.client.KvInvalidArgumentException;
import dev.kv.client.KvOutcomeUnknownException;
import dev.kv.client.KvStatusException;
import dev.kv.client.KvUnavailableException;
import io.grpc.Status;

/**
 * Turns the end of an operation into the exception the caller sees. Holds the one rule the SDK must
 * never break: a write that may have been applied is reported as {@link KvOutcomeUnknownException},
 * whatever the last attempt said.
 */
final class Failures {
  private Failures() {}

  /** The last attempt failed in a way another attempt would not fix. */
  static KvException rejected(
      String operation,
      AttemptFailure last,
      boolean write,
      boolean mayHaveBeenApplied,
      int attempts,
      long elapsedMillis) {
    if (write && mayHaveBeenApplied) {
      return outcomeUnknown(operation, last, attempts, elapsedMillis);
    }
    String message = operation + " failed: " + last.describe();
    return switch (last.code()) {
      case INVALID_ARGUMENT -> new KvInvalidArgumentException(message, last.error());
      case FAILED_PRECONDITION -> new KvFailedPreconditionException(message, last.error());
      default -> new KvStatusException(last.code(), message, last.error());
    };
  }

  /** Every attempt failed in a retryable way and the deadline leaves no room for another. */
  static KvException gaveUp(
      String operation,
      AttemptFailure last,
      boolean write,
      boolean mayHaveBeenApplied,
      int attempts,
      long elapsedMillis) {
    if (write && mayHaveBeenApplied) {
      return outcomeUnknown(operation, last, attempts, elapsedMillis);
    }
    return new KvUnavailableException(
        last.code(),
        operation
            + " failed after "
            + attempts(attempts)
            + " in "
            + elapsedMillis
            + " ms: "
            + last.describe(),
        last.error());
  }

  /** The client was closed before the operation ended. */
  static KvException closed(String operation, boolean write, boolean mayHaveBeenApplied) {
    if (write && mayHaveBeenApplied) {
      return new KvOutcomeUnknownException(
          Status.Code.CANCELLED,
          operation
              + " outcome unknown: the client was closed while it was in flight; it may"
              + " have been applied",
          null);
    }
    return new KvStatusException(
        Status.Code.CANCELLED, operation + " cancelled: the client was closed", null);
  }

  /** The server answered, but the reply could not be turned into a result. */
  static KvException unreadableReply(
      String operation, Endpoint endpoint, boolean write, RuntimeException error) {
    String message = operation + ": unreadable reply from " + endpoint + ": " + error;
    if (write) {
      // The server answered, so the write was applied; only its result is lost.
      return new KvOutcomeUnknownException(Status.Code.INTERNAL, message, error);
    }
    return new KvStatusException(Status.Code.INTERNAL, message, error);
  }

  private static KvException outcomeUnknown(
      String operation, AttemptFailure last, int attempts, long elapsedMillis) {
    return new KvOutcomeUnknownException(
        last.code(),
        operation
            + " outcome unknown after "
            + attempts(attempts)
            + " in "
            + elapsedMillis
            + " ms; it may have been applied (at most once): "
            + last.describe(),
        last.error());
  }

  private static String attempts(int attempts) {
    return attempts == 1 ? "1 attempt" : attempts + " attempts";
  }
}
