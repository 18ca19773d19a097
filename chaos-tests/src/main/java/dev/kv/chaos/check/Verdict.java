package dev.kv.chaos.check;

/** The answer of a check, for one key or for a whole history. */
public enum Verdict {
  /** A linearization exists: the history is consistent with one copy of the data. */
  LINEARIZABLE,
  /** No linearization exists: the service answered something no single copy could have. */
  NOT_LINEARIZABLE,
  /** The check gave up (deadline or memory limit) before it could tell. Never a pass. */
  UNKNOWN;

  /** The verdict of a whole built from parts: any violation wins, then any doubt. */
  static Verdict combine(Iterable<Verdict> parts) {
    Verdict result = LINEARIZABLE;
    for (Verdict part : parts) {
      if (part == NOT_LINEARIZABLE) {
        return NOT_LINEARIZABLE;
      }
      if (part == UNKNOWN) {
        result = UNKNOWN;
      }
    }
    return result;
  }
}
