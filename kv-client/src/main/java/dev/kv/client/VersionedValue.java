package dev.kv.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A value read from the store together with the key's version (1 when the key was created, +1 on
 * every write since). Immutable: {@link #value()} returns a copy, {@link #valueBuffer()} a
 * read-only view that does not copy.
 */
public final class VersionedValue {
  private final byte[] value;
  private final long version;

  public VersionedValue(byte[] value, long version) {
    this.value = Objects.requireNonNull(value, "value").clone();
    this.version = version;
  }

  /** A copy of the value's bytes. */
  public byte[] value() {
    return value.clone();
  }

  /** A read-only view of the value's bytes, without copying them. */
  public ByteBuffer valueBuffer() {
    return ByteBuffer.wrap(value).asReadOnlyBuffer();
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
    return o instanceof VersionedValue other
        && version == other.version
        && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(value) + Long.hashCode(version);
  }

  /** Shows the size, not the content: values may be large or sensitive. */
  @Override
  public String toString() {
    return "VersionedValue{version=" + version + ", value=" + value.length + " bytes}";
  }
}
