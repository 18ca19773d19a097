package dev.kv.chaos.history;

/** The kinds of operation a workload invokes on one key. */
public enum OpKind {
  /** A linearizable read: the value (or absence) and version. */
  GET,
  /** An unconditional write of a value. */
  PUT,
  /** A compare-and-set: writes a value when its {@link CasCondition} holds. */
  CAS
}
