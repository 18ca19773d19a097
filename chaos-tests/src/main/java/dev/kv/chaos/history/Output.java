package dev.kv.chaos.history;

import java.util.Objects;

/**
 * What the server answered for an operation whose outcome is {@link Outcome#OK}; one record type
 * per {@link OpKind}. Recorded as observed, not validated against the key's semantics: a wrong
 * answer from the server must reach the checker intact.
 */
public sealed interface Output permits Output.ReadResult, Output.PutResult, Output.CasResult {

  /** A GET that found {@code value} at {@code version}. */
  static ReadResult read(String value, long version) {
    return new ReadResult(true, value, version);
  }

  /** A GET that found the key absent (the server reports version 0 then). */
  static ReadResult absent() {
    return new ReadResult(false, null, 0);
  }

  static PutResult put(long version) {
    return new PutResult(version);
  }

  static CasResult cas(boolean succeeded, long version) {
    return new CasResult(succeeded, version);
  }

  /**
   * The answer to a GET.
   *
   * @param found whether the key existed
   * @param value the value read; null exactly when {@code found} is false
   * @param version the version the server reported (0 when absent, if the server is right)
   */
  record ReadResult(boolean found, String value, long version) implements Output {
    public ReadResult {
      if (found) {
        Objects.requireNonNull(value, "a read that found the key has a value");
      } else if (value != null) {
        throw new IllegalArgumentException("a read that found no key has no value, got " + value);
      }
    }
  }

  /** The answer to a PUT: the key's version after the write. */
  record PutResult(long version) implements Output {}

  /**
   * The answer to a CAS: whether the condition held and the value was written; the version after
   * the write on success, the key's current version (0 when absent) on failure.
   */
  record CasResult(boolean succeeded, long version) implements Output {}
}
