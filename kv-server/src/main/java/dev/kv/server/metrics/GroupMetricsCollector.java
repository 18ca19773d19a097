package dev.kv.server.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Per-group gauges, labelled by group: {@code kv_group_applied_index}, {@code
 * kv_group_commit_index} and {@code kv_group_leader} (1 on the leader's replica, else 0). Applied
 * behind commit for long means a slow state machine; the leader gauges summed per group show
 * leaderless groups (0) and, per node, leader balance.
 */
public final class GroupMetricsCollector implements MultiCollector {
  private static final MetricMetadata APPLIED =
      new MetricMetadata(
          "kv_group_applied_index", "Last log index this replica applied to its state machine");
  private static final MetricMetadata COMMITTED =
      new MetricMetadata("kv_group_commit_index", "Last log index this replica knows committed");
  private static final MetricMetadata LEADER =
      new MetricMetadata("kv_group_leader", "1 if this replica leads its group, else 0");

  private final GroupStatusSource source;

  public GroupMetricsCollector(GroupStatusSource source) {
    this.source = source;
  }

  @Override
  public MetricSnapshots collect() {
    List<GaugeDataPointSnapshot> applied = new ArrayList<>();
    List<GaugeDataPointSnapshot> committed = new ArrayList<>();
    List<GaugeDataPointSnapshot> leader = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (GroupStatus status : source.groups()) {
      if (!seen.add(status.group())) {
        continue;
      }
      Labels labels = Labels.of("group", status.group());
      applied.add(point(labels, status.appliedIndex()));
      committed.add(point(labels, status.commitIndex()));
      leader.add(point(labels, status.leader() ? 1 : 0));
    }
    return MetricSnapshots.builder()
        .metricSnapshot(new GaugeSnapshot(APPLIED, applied))
        .metricSnapshot(new GaugeSnapshot(COMMITTED, committed))
        .metricSnapshot(new GaugeSnapshot(LEADER, leader))
        .build();
  }

  private static GaugeDataPointSnapshot point(Labels labels, double value) {
    return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }
}
