package dev.kv.client;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a scan returns and where it starts. Immutable; build one with {@link #builder()} or start
 * from {@link #all()}.
 *
 * <p>Keys come back in the store's order, (hash(key), key), not in key order, so a prefix filters
 * entries rather than seeking to them: a page may hold fewer than {@link #limit()} entries (even
 * none) and still not be the last.
 */
public final class ScanOptions {
  private static final byte[] EMPTY = new byte[0];
  private static final ScanOptions ALL = builder().build();

  private final byte[] cursor;
  private final int limit;
  private final byte[] prefix;
  private final boolean keysOnly;
  private final ReadConsistency consistency;

  private ScanOptions(Builder b) {
    this.cursor = b.cursor;
    this.limit = b.limit;
    this.prefix = b.prefix;
    this.keysOnly = b.keysOnly;
    this.consistency = b.consistency;
  }

  /** Every key from the beginning, default page size, values included, linearizable. */
  public static ScanOptions all() {
    return ALL;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .cursor(cursor)
        .limit(limit)
        .prefix(prefix)
        .keysOnly(keysOnly)
        .consistency(consistency);
  }

  /** These options, continuing after the page that returned {@code nextCursor}. */
  public ScanOptions withCursor(byte[] nextCursor) {
    return toBuilder().cursor(nextCursor).build();
  }

  /** Opaque position to continue from; empty to start at the beginning. */
  public byte[] cursor() {
    return cursor.clone();
  }

  /** Entries per page; 0 lets the server choose (100 by default). */
  public int limit() {
    return limit;
  }

  /** Only keys that start with these bytes; empty for all keys. */
  public byte[] prefix() {
    return prefix.clone();
  }

  public boolean keysOnly() {
    return keysOnly;
  }

  public ReadConsistency consistency() {
    return consistency;
  }

  @Override
  public String toString() {
    return "ScanOptions{cursor="
        + cursor.length
        + " bytes, limit="
        + limit
        + ", prefix="
        + prefix.length
        + " bytes, keysOnly="
        + keysOnly
        + ", consistency="
        + consistency
        + "}";
  }

  /** Builds {@link ScanOptions}. The page size is checked against the client's limits per call. */
  public static final class Builder {
    private byte[] cursor = EMPTY;
    private int limit;
    private byte[] prefix = EMPTY;
    private boolean keysOnly;
    private ReadConsistency consistency = ReadConsistency.LINEARIZABLE;

    private Builder() {}

    public Builder cursor(byte[] cursor) {
      this.cursor = Objects.requireNonNull(cursor, "cursor").clone();
      return this;
    }

    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    public Builder prefix(byte[] prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix").clone();
      return this;
    }

    /** The prefix, encoded as UTF-8. */
    public Builder prefix(String prefix) {
      return prefix(prefix.getBytes(StandardCharsets.UTF_8));
    }

    public Builder keysOnly(boolean keysOnly) {
      this.keysOnly = keysOnly;
      return this;
    }

    public Builder consistency(ReadConsistency consistency) {
      this.consistency = Objects.requireNonNull(consistency, "consistency");
      return this;
    }

    public ScanOptions build() {
      return new ScanOptions(this);
    }
  }
}
