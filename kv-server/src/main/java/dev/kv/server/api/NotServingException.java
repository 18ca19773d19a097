package dev.kv.server.api;

/** The node cannot take the request at all (shutting down, replica not open): nothing was sent. */
public final class NotServingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NotServingException(String message) {
    super(message);
  }
}
