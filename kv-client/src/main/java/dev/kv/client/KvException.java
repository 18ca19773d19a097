package dev.kv.client;

import io.grpc.Status;

/**
 * Root of the unchecked exceptions the SDK throws for a failed operation. Each carries the gRPC
 * status code that decided the outcome, and its message includes the server's message.
 *
 * <p>Catch a subtype to handle one outcome; most importantly, {@link KvOutcomeUnknownException}
 * means a write may have been applied and must not be treated as a failure.
 */
public abstract class KvException extends RuntimeException {
  private final Status.Code code;

  protected KvException(Status.Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The gRPC status code behind this failure (for client-side validation, INVALID_ARGUMENT). */
  public Status.Code code() {
    return code;
  }
}
