package dev.kv.client;

import java.util.List;
import java.util.Objects;

/**
 * One page of a scan. Continue with {@code options.withCursor(page.nextCursor())} while {@link
 * #hasMore()}, or let {@link KvOperations#scanAll} do the paging.
 */
public final class ScanPage {
  private final List<KeyValue> entries;
  private final byte[] nextCursor;

  public ScanPage(List<KeyValue> entries, byte[] nextCursor) {
    this.entries = List.copyOf(entries);
    this.nextCursor = Objects.requireNonNull(nextCursor, "nextCursor").clone();
  }

  /** The entries of this page, in scan order; possibly empty even when more follow. */
  public List<KeyValue> entries() {
    return entries;
  }

  /** Opaque cursor that continues after this page; empty when the scan is complete. */
  public byte[] nextCursor() {
    return nextCursor.clone();
  }

  /** Whether another page may follow; false once the whole range has been scanned. */
  public boolean hasMore() {
    return nextCursor.length > 0;
  }

  @Override
  public String toString() {
    return "ScanPage{" + entries.size() + " entries, hasMore=" + hasMore() + "}";
  }
}
