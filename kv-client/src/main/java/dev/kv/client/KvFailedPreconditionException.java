package dev.kv.client;

import io.grpc.Status;

/**
 * The server refused the request because of the state of the system rather than its content, e.g. a
 * retried write whose result the server no longer remembers. Not retried by the SDK.
 */
public class KvFailedPreconditionException extends KvException {
  public KvFailedPreconditionException(String message, Throwable cause) {
    super(Status.Code.FAILED_PRECONDITION, message, cause);
  }
}
