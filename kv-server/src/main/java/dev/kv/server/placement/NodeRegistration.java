package dev.kv.server.placement;

import dev.kv.api.placement.ClusterNode;
import dev.kv.api.placement.NodeState;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Puts this node into the meta group's registry: on first start as ACTIVE; on restarts only
 * when its addresses changed, keeping the state an operator set (a draining node stays draining).
 */
final class NodeRegistration {
  private NodeRegistration() {}

  /** Registers {@code self}; throws when the meta group cannot be reached in time. */
  static void register(MetaStore meta, ClusterNode self, long timeoutMs) throws Exception {
    Optional<ClusterNode> existing =
        meta.registeredNodes().get(timeoutMs, TimeUnit.MILLISECONDS).stream()
            .filter(n -> n.id().equals(self.id()))
            .findFirst();
    if (existing.isPresent()
        && existing.get().apiAddress().equals(self.apiAddress())
        && existing.get().raftAddress().equals(self.raftAddress())) {
      return;
    }
    NodeState state = existing.map(ClusterNode::state).orElse(NodeState.ACTIVE);
    meta.register(self.withState(state)).get(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
