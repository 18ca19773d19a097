package dev.kv.client;

import io.grpc.Status;

/**
 * A write ended without a definitive answer: at least one attempt may have reached the server (it
 * timed out, or the connection broke after the request was sent) and no later attempt settled the
 * outcome before the deadline. The write may or may not have been applied; it was applied at most
 * once. Read the key to find out, or repeat the write if applying it twice is harmless.
 *
 * <p>{@link #code()} is the status of the last attempt; {@link #getCause()} describes it.
 */
public class KvOutcomeUnknownException extends KvException {
  public KvOutcomeUnknownException(Status.Code code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
