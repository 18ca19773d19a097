package dev.kv.client.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long kvctl operation on stderr (stdout stays for the result): groups done of all,
 * records and bytes so far. A line at most every {@link #INTERVAL_NANOS}, and one per group done.
 */
final class Progress {
  static final long INTERVAL_NANOS = 2_000_000_000L;

  private final PrintWriter err;
  private final String operation;
  private final int groups;
  private final LongSupplier nanoTime;
  private int groupsDone;
  private long records;
  private long bytes;
  private long lastPrinted;

  Progress(PrintWriter err, String operation, int groups, LongSupplier nanoTime) {
    this.err = err;
    this.operation = operation;
    this.groups = groups;
    this.nanoTime = nanoTime;
    this.lastPrinted = nanoTime.getAsLong();
  }

  /** Counts records of {@code group}; prints when the last line is old enough. */
  void add(String group, long moreRecords, long moreBytes) {
    records += moreRecords;
    bytes += moreBytes;
    long now = nanoTime.getAsLong();
    if (now - lastPrinted >= INTERVAL_NANOS) {
      print(group + " in progress");
    }
  }

  void groupDone(String group) {
    groupsDone++;
    print(group + " done");
  }

  long records() {
    return records;
  }

  long bytes() {
    return bytes;
  }

  private void print(String what) {
    lastPrinted = nanoTime.getAsLong();
    err.printf("%s: %d/%d groups, %d records, %s (%s)%n", operation, groupsDone, groups, records,
        size(bytes), what);
    err.flush();
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  }
}
