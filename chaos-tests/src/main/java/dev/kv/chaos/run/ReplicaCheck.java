package dev.kv.chaos.run;

import dev.kv.api.v1.ReplicaDigest;
import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.cluster.ClusterView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * After a run, with writes stopped: waits until every replica of each group (as the map places
 * them) reports the same applied index through Cluster.GetReplicaDigest, then compares their
 * data hashes. Replicas that applied the same log to the same index must hold the same data.
 */
final class ReplicaCheck {
  private ReplicaCheck() {}

  /**
   * One group's replicas, as last seen.
   *
   * @param group the group id
   * @param digests each replica's answer by node id, or null where it did not answer
   * @param errors why a replica did not answer, by node id
   */
  record GroupReplicas(String group, Map<String, ReplicaDigest> digests,
      Map<String, String> errors) {

    boolean atOneIndex() {
      return errors.isEmpty()
          && digests.values().stream().map(ReplicaDigest::getAppliedIndex).distinct().count() == 1;
    }

    /** At one index with one hash (and so one entry count). */
    boolean identical() {
      return atOneIndex()
          && digests.values().stream().map(ReplicaDigest::getSha256).distinct().count() == 1;
    }

    /** The replicas below the highest applied index, or that did not answer. */
    List<String> behind() {
      List<String> nodes = new ArrayList<>(errors.keySet());
      digests.forEach((node, d) -> {
        if (d.getAppliedIndex() < appliedIndex()) {
          nodes.add(node);
        }
      });
      return nodes;
    }

    long appliedIndex() {
      return digests.values().stream().mapToLong(ReplicaDigest::getAppliedIndex).max().orElse(0);
    }

    long entries() {
      return digests.values().stream().mapToLong(ReplicaDigest::getEntries).max().orElse(0);
    }

    /** One line for results and the report. */
    String summary() {
      return (identical() ? "identical " : atOneIndex() ? "DIFFERENT " : "NOT AT ONE INDEX ")
          + describe();
    }

    /** Each replica's index, entries and hash (the hash's first 12 hex digits). */
    String describe() {
      List<String> parts = new ArrayList<>();
      digests.forEach((node, d) -> parts.add(node + " at " + d.getAppliedIndex() + ": "
          + d.getEntries() + " entries, sha256 " + shortHash(d)));
      errors.forEach((node, e) -> parts.add(node + ": " + e));
      return group + " [" + String.join("; ", parts) + "]";
    }

    static String shortHash(ReplicaDigest d) {
      return HexFormat.of().formatHex(d.getSha256().toByteArray()).substring(0, 12);
    }
  }

  /**
   * Compares every group's replicas; adds a line to {@code problems} for each group whose
   * replicas differ at one index, or never reached one index within {@code timeout}.
   */
  static List<GroupReplicas> compare(ChaosCluster cluster, Duration timeout,
      List<String> problems) {
    ClusterView view;
    try {
      view = cluster.view();
    } catch (RuntimeException e) {
      problems.add("replica check: " + e.getMessage());
      return List.of();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<GroupReplicas> results = new ArrayList<>();
    for (String group : view.groups()) {
      GroupReplicas seen = read(cluster, view, group);
      while (!seen.atOneIndex() && System.nanoTime() - deadline < 0) {
        pause();
        seen = read(cluster, view, group);
      }
      results.add(seen);
      if (!seen.atOneIndex()) {
        List<String> behind = seen.behind();
        behind.forEach(node -> cluster.threadDump(cluster.node(node)));
        problems.add("replicas of " + group + " did not reach one applied index within "
            + timeout.toSeconds() + " s: " + seen.describe() + "; thread dumps of " + behind
            + " are in their logs");
      } else if (!seen.identical()) {
        problems.add("replicas of " + group + " hold different data at applied index "
            + seen.appliedIndex() + ": " + seen.describe());
      }
    }
    return results;
  }

  private static GroupReplicas read(ChaosCluster cluster, ClusterView view, String group) {
    Map<String, ReplicaDigest> digests = new TreeMap<>();
    Map<String, String> errors = new TreeMap<>();
    for (String node : view.replicasOf(group)) {
      try {
        digests.put(node, cluster.admin().digest(cluster.node(node), group));
      } catch (RuntimeException e) {
        errors.put(node, e.getMessage());
      }
    }
    return new GroupReplicas(group, digests, errors);
  }

  /** Between polls of replicas that are still catching up (not a synchronisation). */
  private static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
