package dev.kv.chaos.cluster;

import com.google.protobuf.ByteString;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.ClusterStatus;
import dev.kv.api.v1.Consistency;
import dev.kv.api.v1.DrainNodeRequest;
import dev.kv.api.v1.GetPlacementRequest;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.GetResponse;
import dev.kv.api.v1.GetNodeStatusRequest;
import dev.kv.api.v1.GetReplicaDigestRequest;
import dev.kv.api.v1.GetStatusRequest;
import dev.kv.api.v1.KVGrpc;
import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.Placement;
import dev.kv.api.v1.RemoveNodeRequest;
import dev.kv.api.v1.ReplicaDigest;
import dev.kv.api.v1.TransferLeaderRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * kvd's Cluster service on each node, as the harness calls it: status, placement, leader
 * transfer, drain, remove and replica digests; and reads sent to one node's KV service without
 * the SDK's routing. One channel per node, closed with the cluster. Every call is bounded; a
 * failure is the gRPC StatusRuntimeException.
 */
public final class ClusterAdmin implements AutoCloseable {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  private ManagedChannel channel(ClusterNode node) {
    return channels.computeIfAbsent(node.apiEndpoint(),
        endpoint -> ManagedChannelBuilder.forTarget(endpoint).usePlaintext().build());
  }

  private ClusterGrpc.ClusterBlockingStub at(ClusterNode node) {
    return ClusterGrpc.newBlockingStub(channel(node))
        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A read answered by {@code node} itself: the node serves it from its own replica of the key's
   * group (a linearizable one after a ReadIndex round) or forwards it when it hosts none. The
   * SDK would send it to the group's leader instead, so it cannot show what one node answers.
   */
  public GetResponse readAt(ClusterNode node, String key, Consistency consistency,
      Duration timeout) {
    ManagedChannel channel = channel(node);
    return KVGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
            .setConsistency(consistency).build());
  }

  /** The whole cluster's status, as {@code node} gathers it. */
  public ClusterView status(ClusterNode node) {
    ClusterStatus status = at(node).getStatus(GetStatusRequest.getDefaultInstance());
    return new ClusterView(status);
  }

  /** {@code node}'s own replicas, as it reports them (it asks no other node). */
  public NodeStatus nodeStatus(ClusterNode node) {
    return at(node).getNodeStatus(GetNodeStatusRequest.getDefaultInstance());
  }

  /** The placement map {@code node} routes with. */
  public Placement placement(ClusterNode node) {
    return at(node).getPlacement(GetPlacementRequest.getDefaultInstance());
  }

  public void transferLeader(ClusterNode via, String group, String target) {
    at(via).transferLeader(
        TransferLeaderRequest.newBuilder().setGroupId(group).setNodeId(target).build());
  }

  public void drain(ClusterNode via, String nodeId) {
    at(via).drainNode(DrainNodeRequest.newBuilder().setNodeId(nodeId).build());
  }

  public void remove(ClusterNode via, String nodeId) {
    at(via).removeNode(RemoveNodeRequest.newBuilder().setNodeId(nodeId).build());
  }

  /** {@code node}'s own replica of {@code group}: its applied index and data hash. */
  public ReplicaDigest digest(ClusterNode node, String group) {
    return at(node).getReplicaDigest(GetReplicaDigestRequest.newBuilder().setGroupId(group).build());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
