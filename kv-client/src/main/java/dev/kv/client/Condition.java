package dev.kv.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The condition of a {@link KvOperations#compareAndSet compare-and-set}, evaluated by the server on
 * the key's state just before the write. Create one with {@link #versionEquals}, {@link
 * #valueEquals} or {@link #absent}.
 */
public sealed interface Condition
    permits Condition.VersionEquals, Condition.ValueEquals, Condition.Absent {

  /** Holds when the key exists with exactly this version. */
  static Condition versionEquals(long version) {
    return new VersionEquals(version);
  }

  /** Holds when the key exists with exactly this value. */
  static Condition valueEquals(byte[] value) {
    return new ValueEquals(value);
  }

  /** Holds when the key exists with exactly this value, encoded as UTF-8. */
  static Condition valueEquals(String value) {
    return new ValueEquals(value.getBytes(StandardCharsets.UTF_8));
  }

  /** Holds when the key does not exist (create-if-absent). */
  static Condition absent() {
    return Absent.INSTANCE;
  }

  /** See {@link Condition#versionEquals}. */
  record VersionEquals(long version) implements Condition {
    public VersionEquals {
      // Version 0 means "absent" in replies; accepting it here would hide a caller's bug behind
      // a condition that can never hold.
      if (version < 1) {
        throw new IllegalArgumentException(
            "condition version is " + version + "; it must be >= 1 (use absent() for no key)");
      }
    }
  }

  /** See {@link Condition#valueEquals(byte[])}. */
  final class ValueEquals implements Condition {
    private final byte[] value;

    private ValueEquals(byte[] value) {
      this.value = Objects.requireNonNull(value, "value").clone();
    }

    /** A copy of the expected value. */
    public byte[] value() {
      return value.clone();
    }

    /** The expected value's length, without copying it. */
    public int length() {
      return value.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ValueEquals other && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "ValueEquals{" + value.length + " bytes}";
    }
  }

  /** See {@link Condition#absent}. */
  final class Absent implements Condition {
    private static final Absent INSTANCE = new Absent();

    private Absent() {}

    @Override
    public String toString() {
      return "Absent";
    }
  }
}
