package dev.kv.client;

import io.grpc.Status;

/**
 * The service could not be reached or could not answer (no leader, no quorum, every endpoint down)
 * before the call's deadline, after retrying. {@link #code()} is the status of the last attempt.
 *
 * <p>For a write this exception is a guarantee: no attempt can have been applied. When an attempt
 * might have been applied the SDK throws {@link KvOutcomeUnknownException} instead.
 */
public class KvUnavailableException extends KvException {
  public KvUnavailableException(Status.Code code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
