package dev.kv.server.metrics;

import com.codahale.metrics.MetricRegistry;
import io.grpc.ServerInterceptor;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.rocksdb.Statistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one node exports, gathered in one {@link PrometheusRegistry} that {@link
 * MetricsHttpServer} serves:
 *
 * <ul>
 *   <li>a Dropwizard {@link MetricRegistry} for the node's own gauges, counters and timers,
 *       exported through Prometheus' official Dropwizard bridge (names with dots become
 *       underscores: {@code kv.rocksdb.bytes_written} is {@code kv_rocksdb_bytes_written});
 *   <li>this node's Ratis server metrics ({@link RatisMetricsCollector});
 *   <li>KV API latency and errors ({@link #requests()}, a gRPC interceptor);
 *   <li>per-group applied/commit index and leadership ({@link #addGroups});
 *   <li>RocksDB statistics ({@link #addRocksDbStatistics});
 *   <li>JVM metrics (memory, GC, threads, CPU).
 * </ul>
 *
 * It owns no threads and nothing to close; each collector reads its source at scrape time.
 */
public final class NodeMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(NodeMetrics.class);
  private static final String ROCKSDB_PREFIX = "kv.rocksdb";

  private final PrometheusRegistry prometheus = new PrometheusRegistry();
  private final MetricRegistry dropwizard = new MetricRegistry();
  private final RequestMetrics requests;

  /**
   * @param raftServerId this node's Ratis peer id (its node id), to pick its Ratis metrics
   */
  public NodeMetrics(String raftServerId) {
    DropwizardExports.builder()
        .dropwizardRegistry(dropwizard)
        // A gauge that throws is left out of the scrape instead of failing all of it.
        .invalidMetricHandler(
            (name, e) -> {
              LOG.debug("leaving {} out of the scrape", name, e);
              return true;
            })
        .register(prometheus);
    prometheus.register(new RatisMetricsCollector(raftServerId));
    JvmMetrics.builder().register(prometheus);
    requests = new RequestMetrics(prometheus);
  }

  /** What {@link MetricsHttpServer} serves. */
  public PrometheusRegistry prometheus() {
    return prometheus;
  }

  /** For the node's own Dropwizard metrics; everything registered here is exported. */
  public MetricRegistry dropwizard() {
    return dropwizard;
  }

  /** Install on the public gRPC server (or on the KV service) to measure the KV API. */
  public ServerInterceptor requests() {
    return requests;
  }

  /** Exports per-group gauges read from {@code source} at each scrape. Call once. */
  public void addGroups(GroupStatusSource source) {
    prometheus.register(new GroupMetricsCollector(source));
  }

  /**
   * Exports the RocksDB statistics the node's stores share, as {@code kv_rocksdb_*} gauges. Call
   * {@link #removeRocksDbStatistics()} before closing {@code statistics}.
   */
  public void addRocksDbStatistics(Statistics statistics) {
    dropwizard.registerAll(ROCKSDB_PREFIX, new RocksDbStatisticsSet(statistics));
  }

  /** Stops exporting RocksDB statistics (before the Statistics object is closed). */
  public void removeRocksDbStatistics() {
    dropwizard.removeMatching((name, metric) -> name.startsWith(ROCKSDB_PREFIX + "."));
  }
}
