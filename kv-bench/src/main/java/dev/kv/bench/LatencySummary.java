package dev.kv.bench;

import org.HdrHistogram.Histogram;

/**
 * The figures a report shows of one latency histogram, in microseconds. Percentiles are
 * HdrHistogram's: the highest value equivalent to the one at that rank (3 significant digits).
 *
 * @param count operations recorded (successful ones only; failures are counted apart)
 */
public record LatencySummary(
    long count,
    double meanMicros,
    long p50Micros,
    long p99Micros,
    long p999Micros,
    long maxMicros) {

  public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0);

  /** Summarises a histogram whose values are microseconds. */
  public static LatencySummary of(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencySummary(
        micros.getTotalCount(),
        micros.getMean(),
        micros.getValueAtPercentile(50),
        micros.getValueAtPercentile(99),
        micros.getValueAtPercentile(99.9),
        micros.getMaxValue());
  }

  public static double millis(long micros) {
    return micros / 1000.0;
  }
}
