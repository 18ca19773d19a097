package dev.kv.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The keys ("bench-" + index, UTF-8) and a small pool of random values of one size that a run
 * writes. Encoded once up front so that the driver allocates nothing per operation for them. The
 * values are random bytes, so a store that compresses gains nothing from them.
 */
public final class KeysAndValues {
  static final String KEY_PREFIX = "bench-";
  private static final int VALUE_POOL = 16;

  private final byte[][] keys;
  private final byte[][] values;

  public KeysAndValues(int keyCount, int valueSize, long seed) {
    keys = new byte[keyCount][];
    for (int i = 0; i < keyCount; i++) {
      keys[i] = key(i);
    }
    SplittableRandom random = new SplittableRandom(seed);
    values = new byte[VALUE_POOL][];
    for (int i = 0; i < VALUE_POOL; i++) {
      values[i] = new byte[valueSize];
      random.nextBytes(values[i]);
    }
  }

  public static byte[] key(int index) {
    return (KEY_PREFIX + index).getBytes(StandardCharsets.UTF_8);
  }

  public int keyCount() {
    return keys.length;
  }

  /** The key of this index; the array is shared, callers must not modify it. */
  byte[] keyAt(int index) {
    return keys[index];
  }

  /** A value from the pool; the array is shared, callers must not modify it. */
  byte[] randomValue(SplittableRandom random) {
    return values[random.nextInt(values.length)];
  }

  byte[] randomKey(SplittableRandom random) {
    return keys[random.nextInt(keys.length)];
  }
}
