package dev.kv.server.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricSet;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.rocksdb.HistogramData;
import org.rocksdb.HistogramType;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;

/**
 * Dropwizard gauges over a RocksDB {@link Statistics} object (the one set on the DBOptions of a
 * node's stores; RocksDB lets several databases share one). Each gauge reads the statistic when
 * scraped: a ticker is a running total ({@code block_cache_miss}); a histogram gives {@code
 * <name>.p50}, {@code .p95}, {@code .p99}, {@code .max} (in its own unit, microseconds for the
 * {@code *_micros} and timing ones) and {@code .count}. Registered under a prefix such as {@code
 * kv.rocksdb}, they are exported as {@code kv_rocksdb_block_cache_miss} and so on.
 *
 * <p>The Statistics object belongs to the caller, who must unregister these gauges before closing
 * it.
 */
public final class RocksDbStatisticsSet implements MetricSet {
  /**
   * What a node's dashboard needs: cache efficiency, I/O volume, stalls, latency of the hot path.
   */
  public static final Set<TickerType> DEFAULT_TICKERS =
      EnumSet.of(
          TickerType.BLOCK_CACHE_HIT,
          TickerType.BLOCK_CACHE_MISS,
          TickerType.MEMTABLE_HIT,
          TickerType.MEMTABLE_MISS,
          TickerType.BLOOM_FILTER_USEFUL,
          TickerType.NUMBER_KEYS_WRITTEN,
          TickerType.NUMBER_KEYS_READ,
          TickerType.BYTES_WRITTEN,
          TickerType.BYTES_READ,
          TickerType.NUMBER_DB_SEEK,
          TickerType.WAL_FILE_SYNCED,
          TickerType.WAL_FILE_BYTES,
          TickerType.FLUSH_WRITE_BYTES,
          TickerType.COMPACT_READ_BYTES,
          TickerType.COMPACT_WRITE_BYTES,
          TickerType.STALL_MICROS);

  public static final Set<HistogramType> DEFAULT_HISTOGRAMS =
      EnumSet.of(
          HistogramType.DB_GET,
          HistogramType.DB_WRITE,
          HistogramType.DB_SEEK,
          HistogramType.WAL_FILE_SYNC_MICROS,
          HistogramType.FLUSH_TIME,
          HistogramType.COMPACTION_TIME);

  private final Statistics statistics;
  private final EnumSet<TickerType> tickers;
  private final EnumSet<HistogramType> histograms;

  public RocksDbStatisticsSet(Statistics statistics) {
    this(statistics, DEFAULT_TICKERS, DEFAULT_HISTOGRAMS);
  }

  public RocksDbStatisticsSet(
      Statistics statistics, Set<TickerType> tickers, Set<HistogramType> histograms) {
    this.statistics = statistics;
    this.tickers = tickers.isEmpty() ? EnumSet.noneOf(TickerType.class) : EnumSet.copyOf(tickers);
    this.histograms =
        histograms.isEmpty() ? EnumSet.noneOf(HistogramType.class) : EnumSet.copyOf(histograms);
  }

  @Override
  public Map<String, Metric> getMetrics() {
    Map<String, Metric> gauges = new LinkedHashMap<>();
    for (TickerType ticker : tickers) {
      gauges.put(nameOf(ticker), (Gauge<Long>) () -> statistics.getTickerCount(ticker));
    }
    for (HistogramType histogram : histograms) {
      String name = nameOf(histogram);
      gauges.put(name + ".p50", (Gauge<Double>) () -> data(histogram).getMedian());
      gauges.put(name + ".p95", (Gauge<Double>) () -> data(histogram).getPercentile95());
      gauges.put(name + ".p99", (Gauge<Double>) () -> data(histogram).getPercentile99());
      gauges.put(name + ".max", (Gauge<Double>) () -> data(histogram).getMax());
      gauges.put(name + ".count", (Gauge<Long>) () -> data(histogram).getCount());
    }
    return gauges;
  }

  private HistogramData data(HistogramType histogram) {
    return statistics.getHistogramData(histogram);
  }

  static String nameOf(Enum<?> statistic) {
    return statistic.name().toLowerCase(Locale.ROOT);
  }
}
