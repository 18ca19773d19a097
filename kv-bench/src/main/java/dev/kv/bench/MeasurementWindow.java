package dev.kv.bench;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The time window [start, end) of one run that counts, and what happened in it: the latencies of
 * successful operations (an HdrHistogram {@link Recorder}, microseconds) and failures by kind.
 *
 * <p>An operation belongs to the window when it <em>completes</em> inside it. In a closed loop the
 * number of operations in flight is constant inside the window, so this counts a fair sample: the
 * operations that straddle the start (begun in the warm-up) balance those that straddle the end
 * (completing after it, dropped). Throughput is therefore operations / window length, exactly.
 *
 * <p>Thread-safe: any thread may record. Read the results once every recorder has finished.
 */
final class MeasurementWindow {
  private final long startNanos;
  private final long endNanos;
  private final Recorder latencies = new Recorder(3);
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  MeasurementWindow(long startNanos, long endNanos) {
    if (endNanos <= startNanos) {
      throw new IllegalArgumentException("the window must not be empty");
    }
    this.startNanos = startNanos;
    this.endNanos = endNanos;
  }

  long endNanos() {
    return endNanos;
  }

  double seconds() {
    return (endNanos - startNanos) / (double) TimeUnit.SECONDS.toNanos(1);
  }

  void recordSuccess(long startedNanos, long completedNanos) {
    if (contains(completedNanos)) {
      latencies.recordValue(Math.max(0, (completedNanos - startedNanos) / 1_000));
    }
  }

  void recordFailure(long completedNanos, String kind) {
    if (contains(completedNanos)) {
      errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }
  }

  /** The latencies recorded since the last call (call once, after the run). */
  Histogram takeLatencies() {
    return latencies.getIntervalHistogram();
  }

  SortedMap<String, Long> errorsByKind() {
    SortedMap<String, Long> counts = new TreeMap<>();
    errors.forEach((kind, count) -> counts.put(kind, count.sum()));
    return counts;
  }

  private boolean contains(long nanos) {
    return nanos - startNanos >= 0 && nanos - endNanos < 0;
  }
}
