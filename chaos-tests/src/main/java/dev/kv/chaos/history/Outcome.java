package dev.kv.chaos.history;

/** What a client learned about whether an operation took effect. */
public enum Outcome {
  /** The operation took effect once, between its call and its return, with the recorded output. */
  OK,
  /**
   * The operation definitely did not take effect (for example UNAVAILABLE or INVALID_ARGUMENT): a
   * checker drops it.
   */
  FAILED,
  /**
   * The outcome is unknown (a timeout, a broken connection): the operation may take effect at any
   * time after its call, even long after the client gave up, or never. It has no return time and no
   * output.
   */
  INDETERMINATE
}
