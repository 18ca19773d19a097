package dev.kv.client;

import io.grpc.Status;

/**
 * The request broke a rule or a limit, detected either by the SDK before sending (no RPC was made)
 * or by the server. The message names the limit, e.g. "key is 5000 bytes; the limit is 4096".
 * Retrying the same request cannot succeed.
 */
public class KvInvalidArgumentException extends KvException {
  public KvInvalidArgumentException(String message) {
    this(message, null);
  }

  public KvInvalidArgumentException(String message, Throwable cause) {
    super(Status.Code.INVALID_ARGUMENT, message, cause);
  }
}
