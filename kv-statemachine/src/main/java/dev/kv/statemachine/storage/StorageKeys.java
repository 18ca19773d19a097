package dev.kv.statemachine.storage;

import com.google.protobuf.ByteString;
import dev.kv.api.KeyHash;
import java.nio.ByteBuffer;

/**
 * The layout of data keys in storage: 8-byte big-endian {@link KeyHash} ++ user key. Sorting
 * storage keys bytewise therefore sorts by (unsigned hash, key), so a hash range is one contiguous
 * storage range and a scan cursor is just the last storage key returned.
 */
public final class StorageKeys {
  public static final int HASH_BYTES = 8;

  private StorageKeys() {}

  public static ByteString of(ByteString userKey) {
    byte[] key = userKey.toByteArray();
    return ByteString.copyFrom(
        ByteBuffer.allocate(HASH_BYTES + key.length).putLong(KeyHash.of(key)).put(key).flip());
  }

  public static ByteString userKey(ByteString storageKey) {
    return storageKey.substring(HASH_BYTES);
  }

  public static long hash(ByteString storageKey) {
    return storageKey.substring(0, HASH_BYTES).asReadOnlyByteBuffer().getLong();
  }
}
