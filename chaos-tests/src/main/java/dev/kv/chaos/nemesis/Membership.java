package dev.kv.chaos.nemesis;

import dev.kv.api.v1.NodeStatus;
import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.cluster.ClusterNode;
import dev.kv.chaos.cluster.ClusterView;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The membership fault's steps through kvd's Cluster service, and the conditions that say the
 * placement controller is done with them. Every wait is bounded and says what it last saw.
 */
final class Membership {
  private Membership() {}

  /** Marks {@code node} as draining, asking another member. */
  static void drain(ChaosCluster cluster, ClusterNode node) {
    cluster.admin().drain(anotherMember(cluster, node), node.id());
  }

  /**
   * Waits until {@code joined} is in the map with replicas, the replica counts of the nodes differ
   * by at most one (where the controller stops moving) and every group settled.
   */
  static void awaitBalanced(ChaosCluster cluster, ClusterNode joined, Duration timeout) {
    await(cluster, "replicas spread onto " + joined.id(), timeout, view -> {
      Map<String, Integer> load = replicaCounts(view);
      if (load.getOrDefault(joined.id(), 0) == 0) {
        return Optional.of(joined.id() + " holds no replica yet; the map holds " + load);
      }
      int most = load.values().stream().max(Integer::compare).orElse(0);
      int least = load.values().stream().min(Integer::compare).orElse(0);
      if (most - least > 1) {
        return Optional.of("replica counts " + load + " differ by more than one");
      }
      return view.unsettled();
    });
  }

  /**
   * Waits until the map puts no replica on {@code node}, every group settled and the node itself
   * hosts none; then removes it from the cluster (Cluster.RemoveNode), waits until the map no
   * longer lists it, and stops it.
   */
  static void awaitEmptyThenRemove(ChaosCluster cluster, ClusterNode node, Duration timeout) {
    await(cluster, node.id() + " to be empty", timeout, view -> {
      int inMap = replicaCounts(view).getOrDefault(node.id(), 0);
      if (inMap > 0) {
        return Optional.of("the map still puts " + inMap + " replicas on " + node.id());
      }
      Optional<NodeStatus> own = view.status().getNodesList().stream()
          .filter(n -> n.getNodeId().equals(node.id())).findFirst();
      if (own.isEmpty()) {
        return Optional.of(node.id() + " did not report its replicas");
      }
      if (own.get().getReplicasCount() > 0) {
        return Optional.of(node.id() + " still hosts " + own.get().getReplicasList().stream()
            .map(r -> r.getGroupId()).toList());
      }
      return view.unsettled();
    });
    cluster.admin().remove(anotherMember(cluster, node), node.id());
    await(cluster, node.id() + " to leave the map", timeout, view ->
        view.nodesInMap().contains(node.id())
            ? Optional.of("the map still lists " + node.id()) : Optional.empty());
    cluster.retire(node);
  }

  /** Replicas per node id in the map, every group counted (as the controller counts). */
  private static Map<String, Integer> replicaCounts(ClusterView view) {
    Map<String, Integer> load = new HashMap<>();
    view.nodesInMap().forEach(n -> load.put(n, 0));
    for (String group : view.groups()) {
      view.replicasOf(group).forEach(n -> load.merge(n, 1, Integer::sum));
    }
    return load;
  }

  private static ClusterNode anotherMember(ChaosCluster cluster, ClusterNode node) {
    return cluster.nodes().stream().filter(n -> !n.equals(node)).findFirst().orElseThrow(() ->
        new IllegalStateException(node + " is the only member"));
  }

  /**
   * Polls the cluster's status until {@code pending} says nothing is pending, or fails after
   * {@code timeout} with the last thing it said.
   */
  private static void await(ChaosCluster cluster, String what, Duration timeout,
      Function<ClusterView, Optional<String>> pending) {
    String[] last = {"no status yet"};
    try {
      Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(500))
          .until(() -> {
            try {
              Optional<String> waiting = pending.apply(cluster.view());
              waiting.ifPresent(w -> last[0] = w);
              return waiting.isEmpty();
            } catch (RuntimeException e) {
              last[0] = e.toString();
              return false;
            }
          });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("no " + what + " within " + timeout.toSeconds() + " s: "
          + last[0], e);
    }
  }
}
