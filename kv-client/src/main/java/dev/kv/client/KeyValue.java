package dev.kv.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a scan: a key, its value (empty for a keys-only scan) and its version. Immutable;
 * the accessors return copies.
 */
public final class KeyValue {
  private final byte[] key;
  private final byte[] value;
  private final long version;

  public KeyValue(byte[] key, byte[] value, long version) {
    this.key = Objects.requireNonNull(key, "key").clone();
    this.value = Objects.requireNonNull(value, "value").clone();
    this.version = version;
  }

  public byte[] key() {
    return key.clone();
  }

  public byte[] value() {
    return value.clone();
  }

  /** The key decoded as UTF-8 (malformed input is replaced, not rejected). */
  public String keyAsString() {
    return new String(key, StandardCharsets.UTF_8);
  }

  /** The value decoded as UTF-8 (malformed input is replaced, not rejected). */
  public String valueAsString() {
    return new String(value, StandardCharsets.UTF_8);
  }

  public long version() {
    return version;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyValue other
        && version == other.version
        && Arrays.equals(key, other.key)
        && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(value), version);
  }

  /** Shows sizes, not content: keys and values may be large or sensitive. */
  @Override
  public String toString() {
    return "KeyValue{key="
        + key.length
        + " bytes, value="
        + value.length
        + " bytes, version="
        + version
        + "}";
  }
}
