package dev.kv.server.placement;

import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.GetNodeStatusRequest;
import dev.kv.api.v1.NodeStatus;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** gRPC channels from this node to other nodes' public APIs, one per address. */
public final class NodeChannels implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  public ClusterGrpc.ClusterBlockingStub cluster(String apiAddress, long timeoutMs) {
    ManagedChannel channel =
        channels.computeIfAbsent(
            apiAddress, a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build());
    return ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** The status a node reports of its replicas; throws when it does not answer in time. */
  public NodeStatus nodeStatus(String apiAddress, long timeoutMs) {
    return cluster(apiAddress, timeoutMs).getNodeStatus(GetNodeStatusRequest.getDefaultInstance());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
