package dev.kv.chaos.history;

import java.util.Objects;

/**
 * The condition of a compare-and-set, as the client sent it; mirrors {@code kv.v1.Condition}. The
 * condition is evaluated on the key's state just before the write. What it means is the checker
 * model's business; this type only records it.
 */
public sealed interface CasCondition
    permits CasCondition.VersionEquals, CasCondition.ValueEquals, CasCondition.Absent {

  static CasCondition versionEquals(long version) {
    return new VersionEquals(version);
  }

  static CasCondition valueEquals(String value) {
    return new ValueEquals(value);
  }

  static CasCondition absent() {
    return new Absent();
  }

  /** Holds when the key exists with exactly this version. */
  record VersionEquals(long version) implements CasCondition {}

  /** Holds when the key exists with exactly this value. */
  record ValueEquals(String value) implements CasCondition {
    public ValueEquals {
      Objects.requireNonNull(value, "value");
    }
  }

  /** Holds when the key does not exist (create-if-absent). */
  record Absent() implements CasCondition {}
}
