package dev.kv.api.placement;

/**
 * A member of the cluster as the placement map records it.
 *
 * @param apiAddress host:port of its public gRPC API, where clients reach it
 * @param raftAddress host:port of its Raft server, where peers reach it
 */
public record ClusterNode(NodeId id, String apiAddress, String raftAddress, NodeState state) {
  public ClusterNode {
    if (apiAddress == null || apiAddress.isBlank() || raftAddress == null || raftAddress.isBlank()) {
      throw new IllegalArgumentException("node " + id + " needs an API and a Raft address");
    }
  }

  public ClusterNode withState(NodeState newState) {
    return new ClusterNode(id, apiAddress, raftAddress, newState);
  }
}
