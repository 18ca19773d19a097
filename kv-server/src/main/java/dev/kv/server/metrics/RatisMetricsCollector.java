package dev.kv.server.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.impl.RatisMetricRegistryImpl;
import org.apache.ratis.thirdparty.com.codahale.metrics.Counter;
import org.apache.ratis.thirdparty.com.codahale.metrics.Gauge;
import org.apache.ratis.thirdparty.com.codahale.metrics.Histogram;
import org.apache.ratis.thirdparty.com.codahale.metrics.Meter;
import org.apache.ratis.thirdparty.com.codahale.metrics.Metric;
import org.apache.ratis.thirdparty.com.codahale.metrics.Snapshot;
import org.apache.ratis.thirdparty.com.codahale.metrics.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports one Ratis server's own metrics (elections, log worker, appenders, state machine, RPCs) in
 * the Prometheus model, read at each scrape so that groups added or removed later show up.
 *
 * <p>Ratis keeps its metrics in process-wide registries ({@code MetricRegistries.global()}), one
 * per component and group member, with Dropwizard 4 shaded into Ratis' own package ({@code
 * ratis-metrics-default}): the official Dropwizard bridge cannot read them, so they are converted
 * here. A registry's prefix names the member ({@code n1@group-386199C843B1}, or {@code n1} for
 * server-wide ones); it becomes the labels {@code server} and {@code group}, so the same metric of
 * every group is one family: {@code ratis_log_worker_flushCount{server="n1",
 * group="group-386199C843B1"}}. Only registries of {@code serverId} are exported, because several
 * servers can share a JVM (in tests) and Ratis' clients register their own. Some Ratis metric names
 * embed a peer id (e.g. {@code n2_peerCommitIndex}); those stay in the name.
 *
 * <p>Types: counters and meters become counters, gauges with a numeric or boolean value gauges
 * (others are skipped), timers summaries in seconds, histograms summaries.
 */
public final class RatisMetricsCollector implements MultiCollector {
  private static final Logger LOG = LoggerFactory.getLogger(RatisMetricsCollector.class);
  private static final double NANOS_PER_SECOND = 1e9;

  private final String serverId;
  private final Supplier<? extends Iterable<RatisMetricRegistry>> registries;

  /** Exports the metrics of the Ratis server with this id from Ratis' global registries. */
  public RatisMetricsCollector(String serverId) {
    this(serverId, () -> MetricRegistries.global().getMetricRegistries());
  }

  RatisMetricsCollector(
      String serverId, Supplier<? extends Iterable<RatisMetricRegistry>> registries) {
    this.serverId = serverId;
    this.registries = registries;
  }

  @Override
  public MetricSnapshots collect() {
    Map<String, Family> families = new TreeMap<>();
    for (RatisMetricRegistry registry : registries.get()) {
      MetricRegistryInfo info = registry.getMetricRegistryInfo();
      Labels labels = labelsOf(info.getPrefix());
      if (labels == null || !(registry instanceof RatisMetricRegistryImpl impl)) {
        continue;
      }
      String registryPrefix =
          info.getApplicationName()
              + "."
              + info.getMetricsComponentName()
              + "."
              + info.getPrefix()
              + ".";
      String familyPrefix = info.getApplicationName() + "_" + info.getMetricsComponentName() + "_";
      for (Map.Entry<String, Metric> entry :
          impl.getDropWizardMetricRegistry().getMetrics().entrySet()) {
        String shortName =
            entry.getKey().startsWith(registryPrefix)
                ? entry.getKey().substring(registryPrefix.length())
                : entry.getKey();
        try {
          add(families, familyPrefix + shortName, labels, entry.getValue());
        } catch (RuntimeException e) {
          // One odd metric must not cost the whole scrape.
          LOG.debug("skipping Ratis metric {}", entry.getKey(), e);
        }
      }
    }
    MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
    families.values().forEach(f -> snapshots.metricSnapshot(f.build()));
    return snapshots.build();
  }

  /** {@code server} (and {@code group}) labels for a registry of this server; else null. */
  private Labels labelsOf(String prefix) {
    if (prefix.equals(serverId)) {
      return Labels.of("server", serverId);
    }
    if (prefix.startsWith(serverId + "@")) {
      return Labels.of("server", serverId, "group", prefix.substring(serverId.length() + 1));
    }
    return null;
  }

  private static void add(Map<String, Family> families, String name, Labels labels, Metric metric) {
    if (metric instanceof Counter counter) {
      family(families, name, Kind.COUNTER).counter(labels, counter.getCount());
    } else if (metric instanceof Meter meter) {
      family(families, name, Kind.COUNTER).counter(labels, meter.getCount());
    } else if (metric instanceof Timer timer) {
      family(families, name + "_seconds", Kind.SUMMARY)
          .summary(labels, timer.getSnapshot(), timer.getCount(), 1 / NANOS_PER_SECOND);
    } else if (metric instanceof Histogram histogram) {
      family(families, name, Kind.SUMMARY)
          .summary(labels, histogram.getSnapshot(), histogram.getCount(), 1);
    } else if (metric instanceof Gauge<?> gauge) {
      Object value = gauge.getValue();
      if (value instanceof Number number) {
        family(families, name, Kind.GAUGE).gauge(labels, number.doubleValue());
      } else if (value instanceof Boolean bool) {
        family(families, name, Kind.GAUGE).gauge(labels, bool ? 1 : 0);
      }
    }
  }

  private static Family family(Map<String, Family> families, String ratisName, Kind kind) {
    String name = prometheusName(ratisName);
    Family family = families.computeIfAbsent(name, n -> new Family(n, ratisName, kind));
    if (family.kind != kind) {
      throw new IllegalStateException(
          ratisName
              + " is a "
              + kind
              + " but "
              + family.help
              + " made "
              + name
              + " a "
              + family.kind);
    }
    return family;
  }

  /**
   * A classic Prometheus name: characters other than letters, digits, '_' and ':' become '_', runs
   * of '_' collapse, and suffixes the exposition adds itself ({@code _total}) are dropped.
   */
  static String prometheusName(String name) {
    String legacy = name.replaceAll("[^a-zA-Z0-9_:]", "_").replaceAll("_+", "_");
    while (legacy.endsWith("_total")
        || legacy.endsWith("_created")
        || legacy.endsWith("_info")
        || legacy.endsWith("_bucket")) {
      legacy = legacy.substring(0, legacy.lastIndexOf('_'));
    }
    return Character.isDigit(legacy.charAt(0)) ? "_" + legacy : legacy;
  }

  private enum Kind {
    COUNTER,
    GAUGE,
    SUMMARY
  }

  /** One metric family: the same Ratis metric across the server's groups. */
  private static final class Family {
    final String name;
    final String help;
    final Kind kind;
    final Set<Labels> seen = new HashSet<>();
    final List<CounterDataPointSnapshot> counters = new ArrayList<>();
    final List<GaugeDataPointSnapshot> gauges = new ArrayList<>();
    final List<SummaryDataPointSnapshot> summaries = new ArrayList<>();

    Family(String name, String ratisName, Kind kind) {
      this.name = name;
      this.help = "Ratis metric " + ratisName;
      this.kind = kind;
    }

    void counter(Labels labels, long count) {
      if (seen.add(labels)) {
        counters.add(CounterDataPointSnapshot.builder().labels(labels).value(count).build());
      }
    }

    void gauge(Labels labels, double value) {
      if (seen.add(labels)) {
        gauges.add(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
      }
    }

    void summary(Labels labels, Snapshot snapshot, long count, double factor) {
      if (!seen.add(labels)) {
        return;
      }
      Quantiles quantiles =
          Quantiles.builder()
              .quantile(0.5, snapshot.getMedian() * factor)
              .quantile(0.95, snapshot.get95thPercentile() * factor)
              .quantile(0.99, snapshot.get99thPercentile() * factor)
              .quantile(0.999, snapshot.get999thPercentile() * factor)
              .build();
      summaries.add(
          SummaryDataPointSnapshot.builder()
              .labels(labels)
              .quantiles(quantiles)
              .count(count)
              .build());
    }

    MetricSnapshot build() {
      return switch (kind) {
        case COUNTER -> new CounterSnapshot(new MetricMetadata(name, help), counters);
        case GAUGE -> new GaugeSnapshot(new MetricMetadata(name, help), gauges);
        case SUMMARY -> new SummarySnapshot(new MetricMetadata(name, help), summaries);
      };
    }
  }
}
