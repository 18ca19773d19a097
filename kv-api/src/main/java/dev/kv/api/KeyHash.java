package dev.kv.api;

/**
 * The placement hash of a key: the first 64-bit word (h1) of MurmurHash3 x64_128 with seed 0,
 * read as an unsigned 64-bit integer. This is the function documented in {@code kv/v1/kv.proto};
 * clients in other languages compute the same value to route requests. It must never change:
 * stored data is ordered by it.
 */
public final class KeyHash {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private KeyHash() {}

  /** Returns hash(key); compare results with {@link Long#compareUnsigned}. */
  public static long of(byte[] key) {
    int length = key.length;
    int blocks = length / 16;
    long h1 = 0;
    long h2 = 0;
    for (int i = 0; i < blocks; i++) {
      long k1 = littleEndianLong(key, i * 16);
      long k2 = littleEndianLong(key, i * 16 + 8);
      h1 ^= mixK1(k1);
      h1 = Long.rotateLeft(h1, 27);
      h1 += h2;
      h1 = h1 * 5 + 0x52dce729;
      h2 ^= mixK2(k2);
      h2 = Long.rotateLeft(h2, 31);
      h2 += h1;
      h2 = h2 * 5 + 0x38495ab5;
    }
    int tail = blocks * 16;
    long k1 = 0;
    long k2 = 0;
    switch (length & 15) {
      case 15: k2 ^= (key[tail + 14] & 0xffL) << 48; // fall through
      case 14: k2 ^= (key[tail + 13] & 0xffL) << 40; // fall through
      case 13: k2 ^= (key[tail + 12] & 0xffL) << 32; // fall through
      case 12: k2 ^= (key[tail + 11] & 0xffL) << 24; // fall through
      case 11: k2 ^= (key[tail + 10] & 0xffL) << 16; // fall through
      case 10: k2 ^= (key[tail + 9] & 0xffL) << 8; // fall through
      case 9:
        k2 ^= key[tail + 8] & 0xffL;
        h2 ^= mixK2(k2);
        // fall through
      case 8: k1 ^= (key[tail + 7] & 0xffL) << 56; // fall through
      case 7: k1 ^= (key[tail + 6] & 0xffL) << 48; // fall through
      case 6: k1 ^= (key[tail + 5] & 0xffL) << 40; // fall through
      case 5: k1 ^= (key[tail + 4] & 0xffL) << 32; // fall through
      case 4: k1 ^= (key[tail + 3] & 0xffL) << 24; // fall through
      case 3: k1 ^= (key[tail + 2] & 0xffL) << 16; // fall through
      case 2: k1 ^= (key[tail + 1] & 0xffL) << 8; // fall through
      case 1:
        k1 ^= key[tail] & 0xffL;
        h1 ^= mixK1(k1);
        break;
      default:
        break;
    }
    h1 ^= length;
    h2 ^= length;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    return h1;
  }

  private static long mixK1(long k1) {
    k1 *= C1;
    k1 = Long.rotateLeft(k1, 31);
    return k1 * C2;
  }

  private static long mixK2(long k2) {
    k2 *= C2;
    k2 = Long.rotateLeft(k2, 33);
    return k2 * C1;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  private static long littleEndianLong(byte[] b, int offset) {
    long result = 0;
    for (int i = 7; i >= 0; i--) {
      result = (result << 8) | (b[offset + i] & 0xffL);
    }
    return result;
  }
}
