package dev.kv.client;

import io.grpc.Status;

/**
 * A failure with a status that has no more specific exception type, e.g. RESOURCE_EXHAUSTED,
 * INTERNAL or UNIMPLEMENTED, or a call cancelled because the client was closed. Not retried.
 */
public class KvStatusException extends KvException {
  public KvStatusException(Status.Code code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
