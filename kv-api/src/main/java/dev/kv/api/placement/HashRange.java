package dev.kv.api.placement;

/**
 * A contiguous range of the hash ring [start, end), with hashes read as unsigned 64-bit integers.
 * {@code end == 0} stands for 2^64, the end of the ring, so the whole ring is [0, 0).
 */
public record HashRange(long start, long end) {

  public static final HashRange WHOLE_RING = new HashRange(0, 0);

  public HashRange {
    if (end != 0 && Long.compareUnsigned(start, end) >= 0) {
      throw new IllegalArgumentException(
          "hash range [" + Long.toUnsignedString(start) + ", " + Long.toUnsignedString(end)
              + ") is empty or reversed");
    }
  }

  public boolean contains(long hash) {
    return Long.compareUnsigned(hash, start) >= 0
        && (end == 0 || Long.compareUnsigned(hash, end) < 0);
  }

  /** Whether this range runs to the end of the ring. */
  public boolean reachesEnd() {
    return end == 0;
  }

  @Override
  public String toString() {
    return "[" + Long.toUnsignedString(start, 16) + ", "
        + (end == 0 ? "2^64" : Long.toUnsignedString(end, 16)) + ")";
  }
}
