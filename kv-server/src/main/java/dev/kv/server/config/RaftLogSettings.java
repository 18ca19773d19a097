package dev.kv.server.config;

/**
 * How a group's Raft log is cut and compacted.
 *
 * @param snapshotEveryEntries take a snapshot after this many entries; the log behind it is purged
 * @param segmentSizeBytes log segment size; only closed segments can be purged, so a segment much
 *     larger than the data written between snapshots delays purging
 */
public record RaftLogSettings(long snapshotEveryEntries, long segmentSizeBytes) {
  public static final RaftLogSettings DEFAULTS = new RaftLogSettings(10_000, 8L << 20);

  public RaftLogSettings {
    if (snapshotEveryEntries < 1) {
      throw new IllegalArgumentException(
          "snapshot interval is " + snapshotEveryEntries + " entries; it must be >= 1");
    }
    if (segmentSizeBytes < 4096) {
      throw new IllegalArgumentException(
          "log segment size is " + segmentSizeBytes + " bytes; it must be >= 4096");
    }
  }
}
