package dev.kv.statemachine.apply;

/**
 * The log holds an entry this binary cannot read (written by a newer version). Applying anything
 * else in its place would make this replica diverge, so the replica must stop.
 */
public final class UnsupportedLogFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnsupportedLogFormatException(String message) {
    super(message);
  }
}
