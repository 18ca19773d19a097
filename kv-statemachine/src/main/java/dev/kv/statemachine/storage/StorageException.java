package dev.kv.statemachine.storage;

/**
 * A failure of the storage engine (I/O error, corruption). It is never a verdict on a command:
 * whoever sees it must stop the replica, because the state it would continue from is unknown.
 */
public final class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
