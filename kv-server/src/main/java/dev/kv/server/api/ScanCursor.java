package dev.kv.server.api;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.storage.StorageKeys;

/**
 * The opaque scan cursor handed to clients: a format byte, then the storage key (hash ++ key) of
 * the last entry examined. Positions on the hash ring are global, so a cursor stays valid however
 * ranges move between groups.
 */
final class ScanCursor {
  private static final byte FORMAT = 1;

  private ScanCursor() {}

  /** The cursor of the first position of hash {@code start}: the start of a range. */
  static ByteString atRangeStart(long start) {
    return encode(
        ByteString.copyFrom(java.nio.ByteBuffer.allocate(StorageKeys.HASH_BYTES).putLong(start).flip()));
  }

  static ByteString encode(ByteString resumeAfter) {
    if (resumeAfter.isEmpty()) {
      return ByteString.EMPTY;
    }
    return ByteString.copyFrom(new byte[] {FORMAT}).concat(resumeAfter);
  }

  /** The storage key to resume after; empty for the start. Call only on a validated cursor. */
  static ByteString decode(ByteString cursor) {
    return cursor.isEmpty() ? ByteString.EMPTY : cursor.substring(1);
  }

  /** The ring position a page starts at: 0 for the first page. Call only on a validated cursor. */
  static long startHash(ByteString cursor) {
    return cursor.isEmpty() ? 0 : StorageKeys.hash(decode(cursor));
  }

  static String validate(ByteString cursor, int maxKeyBytes) {
    if (cursor.isEmpty()) {
      return null;
    }
    int keyBytes = cursor.size() - 1 - StorageKeys.HASH_BYTES;
    // No key bytes: the cursor points at the start of a range (see atRangeStart).
    if (cursor.byteAt(0) != FORMAT || keyBytes < 0 || keyBytes > maxKeyBytes) {
      return "cursor is malformed; pass next_cursor from the previous page unchanged";
    }
    return null;
  }
}
