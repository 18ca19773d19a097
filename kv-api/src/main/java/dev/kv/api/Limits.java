package dev.kv.api;

/**
 * Size limits on keys, values and scan pages. Both the server and the SDK check requests against
 * them; the server's values are authoritative, the SDK's only save a round trip. Every violation
 * is reported with a message that names the limit.
 */
public record Limits(int maxKeyBytes, int maxValueBytes, int maxScanLimit) {
  /** Default key limit: 4 KiB. */
  public static final int DEFAULT_MAX_KEY_BYTES = 4096;
  /** Default value limit: 1 MiB. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;
  /** Largest page a scan returns. */
  public static final int DEFAULT_MAX_SCAN_LIMIT = 1000;
  /** Page size when a scan asks for 0 entries. */
  public static final int DEFAULT_SCAN_LIMIT = 100;
  /** Length of a client id in a WriteId. */
  public static final int CLIENT_ID_BYTES = 16;

  public static final Limits DEFAULTS =
      new Limits(DEFAULT_MAX_KEY_BYTES, DEFAULT_MAX_VALUE_BYTES, DEFAULT_MAX_SCAN_LIMIT);

  public Limits {
    if (maxKeyBytes < 1) {
      throw new IllegalArgumentException("maxKeyBytes is " + maxKeyBytes + "; it must be >= 1");
    }
    if (maxValueBytes < 0) {
      throw new IllegalArgumentException("maxValueBytes is " + maxValueBytes + "; it must be >= 0");
    }
    if (maxScanLimit < 1) {
      throw new IllegalArgumentException("maxScanLimit is " + maxScanLimit + "; it must be >= 1");
    }
  }

  /** Returns null when the key is acceptable, otherwise the reason it is not. */
  public String checkKey(int keyBytes) {
    if (keyBytes == 0) {
      return "key is empty; keys must be 1.." + maxKeyBytes + " bytes";
    }
    if (keyBytes > maxKeyBytes) {
      return "key is " + keyBytes + " bytes; the limit is " + maxKeyBytes;
    }
    return null;
  }

  /** Returns null when the value is acceptable, otherwise the reason it is not. */
  public String checkValue(int valueBytes) {
    if (valueBytes > maxValueBytes) {
      return "value is " + valueBytes + " bytes; the limit is " + maxValueBytes;
    }
    return null;
  }

  /** Returns null when the scan page size is acceptable, otherwise the reason it is not. */
  public String checkScanLimit(long limit) {
    if (limit < 0 || limit > maxScanLimit) {
      return "scan limit is " + limit + "; it must be 0 (default " + DEFAULT_SCAN_LIMIT + ") to "
          + maxScanLimit;
    }
    return null;
  }

  /** Returns null when the client id is absent (length 0) or 16 bytes, otherwise the reason. */
  public static String checkClientId(int clientIdBytes) {
    if (clientIdBytes != 0 && clientIdBytes != CLIENT_ID_BYTES) {
      return "client_id is " + clientIdBytes + " bytes; it must be " + CLIENT_ID_BYTES
          + " bytes (or absent)";
    }
    return null;
  }
}
