package dev.kv.server.placement;

import dev.kv.api.placement.ClusterNode;
import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.GroupPlacement;
import dev.kv.api.placement.NodeId;
import dev.kv.api.placement.NodeState;
import dev.kv.api.placement.PlacementCodec;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.v1.ClusterGrpc;
import dev.kv.api.v1.ClusterStatus;
import dev.kv.api.v1.DrainNodeRequest;
import dev.kv.api.v1.DrainNodeResponse;
import dev.kv.api.v1.GetNodeStatusRequest;
import dev.kv.api.v1.GetPlacementRequest;
import dev.kv.api.v1.GetReplicaDigestRequest;
import dev.kv.api.v1.GetStatusRequest;
import dev.kv.api.v1.JoinNodeRequest;
import dev.kv.api.v1.JoinNodeResponse;
import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.Placement;
import dev.kv.api.v1.RemoveNodeRequest;
import dev.kv.api.v1.RemoveNodeResponse;
import dev.kv.api.v1.ReplicaDigest;
import dev.kv.api.v1.TransferLeaderRequest;
import dev.kv.api.v1.TransferLeaderResponse;
import dev.kv.api.v1.UnreachableNode;
import dev.kv.api.v1.ExportChunk;
import dev.kv.api.v1.ExportGroupRequest;
import dev.kv.api.v1.ImportRecordsRequest;
import dev.kv.api.v1.ImportRecordsResponse;
import dev.kv.server.api.NotServingException;
import dev.kv.server.backup.GroupExporter;
import dev.kv.server.backup.RecordImporter;
import dev.kv.server.raft.RaftAdmin;
import dev.kv.server.raft.RaftGroups;
import dev.kv.server.raft.RaftNode;
import dev.kv.server.raft.ReplicaStatuses;
import dev.kv.statemachine.ratis.KvStateMachine;
import dev.kv.statemachine.storage.DataDigest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import org.apache.ratis.server.RaftServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The public Cluster service: the placement map for clients that route themselves, cluster status
 * for operators, and the administrative requests (join, drain, remove, leader transfer). Changes
 * go to the meta group's node registry; the placement controller carries them out.
 */
public final class ClusterService extends ClusterGrpc.ClusterImplBase {
  private static final long STATUS_TIMEOUT_MS = 3000;

  private final RaftNode raft;
  private final PlacementCache cache;
  private final NodeChannels channels;
  private final RaftAdmin admin;
  private final GroupExporter exporter;
  private final RecordImporter importer;
  private final long timeoutMs;

  public ClusterService(RaftNode raft, PlacementCache cache, NodeChannels channels) {
    this.raft = raft;
    this.cache = cache;
    this.channels = channels;
    this.admin = raft.admin();
    this.exporter = new GroupExporter(raft, cache);
    this.importer =
        new RecordImporter(cache, raft.config().limits(), raft.config().requestTimeout());
    this.timeoutMs = raft.config().requestTimeout().toMillis();
  }

  @Override
  public void exportGroup(ExportGroupRequest request, StreamObserver<ExportChunk> out) {
    exporter.export(request, out);
  }

  @Override
  public void importRecords(
      ImportRecordsRequest request, StreamObserver<ImportRecordsResponse> out) {
    importer.importRecords(request, out);
  }

  @Override
  public void getPlacement(GetPlacementRequest request, StreamObserver<Placement> out) {
    answer(out, () -> {
      if (request.getMinEpoch() > 0
          && cache.current().map(PlacementMap::epoch).orElse(0L) < request.getMinEpoch()) {
        cache.metaStore().readMap().get(timeoutMs, TimeUnit.MILLISECONDS)
            .ifPresent(v -> cache.adopt(v.map()));
      }
      return placementWithHints(cache.placement());
    });
  }

  /** The map with the leaders this node knows: its own replicas' view of each group. */
  private Placement placementWithHints(PlacementMap map) {
    Map<GroupId, NodeId> leaders = new HashMap<>();
    for (GroupPlacement g : map.groups()) {
      raft.replica(g.id())
          .map(d -> d.getInfo().getLeaderId())
          .ifPresent(id -> leaders.put(g.id(), new NodeId(id.toString())));
    }
    return PlacementCodec.toProto(map, leaders);
  }

  @Override
  public void getNodeStatus(GetNodeStatusRequest request, StreamObserver<NodeStatus> out) {
    answer(out, () -> ReplicaStatuses.of(raft));
  }

  @Override
  public void getStatus(GetStatusRequest request, StreamObserver<ClusterStatus> out) {
    answer(out, () -> {
      PlacementMap map = cache.placement();
      ClusterStatus.Builder status = ClusterStatus.newBuilder().setPlacement(placementWithHints(map));
      for (ClusterNode node : map.nodes()) {
        try {
          status.addNodes(
              node.id().equals(raft.config().nodeId())
                  ? ReplicaStatuses.of(raft)
                  : channels.nodeStatus(node.apiAddress(), STATUS_TIMEOUT_MS));
        } catch (StatusRuntimeException e) {
          status.addUnreachable(
              UnreachableNode.newBuilder().setNodeId(node.id().value()).setError(e.getStatus().toString()));
        } catch (NotServingException e) {
          status.addUnreachable(
              UnreachableNode.newBuilder().setNodeId(node.id().value()).setError(e.getMessage()));
        }
      }
      return status.build();
    });
  }

  @Override
  public void transferLeader(
      TransferLeaderRequest request, StreamObserver<TransferLeaderResponse> out) {
    answer(out, () -> {
      PlacementMap map = cache.placement();
      GroupId group = parseGroup(request.getGroupId());
      GroupPlacement placement = map.group(group).orElseThrow(() -> invalid(
          "no group " + group + " in placement epoch " + map.epoch()));
      NodeId target = parseNode(request.getNodeId());
      if (!placement.hasReplicaOn(target)) {
        throw invalid("group " + group + " has no replica on " + target + "; its replicas are "
            + placement.replicas());
      }
      admin.transferLeadership(
          RaftGroups.group(group, PlacementCache.peersOf(map, group)),
          RaftGroups.peerId(target),
          timeoutMs);
      return TransferLeaderResponse.newBuilder().setLeader(target.value()).build();
    });
  }

  @Override
  public void joinNode(JoinNodeRequest request, StreamObserver<JoinNodeResponse> out) {
    answer(out, () -> {
      ClusterNode node;
      try {
        node = PlacementCodec.fromProto(request.getNode()).withState(NodeState.ACTIVE);
      } catch (IllegalArgumentException e) {
        throw invalid(e.getMessage());
      }
      cache.metaStore().register(node).get(timeoutMs, TimeUnit.MILLISECONDS);
      return JoinNodeResponse.newBuilder().setPlacement(placementWithHints(cache.placement())).build();
    });
  }

  @Override
  public void drainNode(DrainNodeRequest request, StreamObserver<DrainNodeResponse> out) {
    answer(out, () -> {
      ClusterNode node = registered(parseNode(request.getNodeId()));
      cache.metaStore().register(node.withState(NodeState.DRAINING))
          .get(timeoutMs, TimeUnit.MILLISECONDS);
      return DrainNodeResponse.newBuilder().setPlacement(placementWithHints(cache.placement())).build();
    });
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<RemoveNodeResponse> out) {
    answer(out, () -> {
      NodeId id = parseNode(request.getNodeId());
      ClusterNode node = registered(id);
      PlacementMap map = cache.metaStore().readMap().get(timeoutMs, TimeUnit.MILLISECONDS)
          .orElseThrow(() -> new NotServingException("the cluster has no placement map yet"))
          .map();
      if (node.state() != NodeState.DRAINING || !map.groupsOn(id).isEmpty()) {
        throw Status.FAILED_PRECONDITION
            .withDescription("node " + id + " still holds replicas of " + map.groupsOn(id).stream()
                .map(GroupPlacement::id).toList() + " (state " + node.state()
                + "); drain it first and wait until it holds none")
            .asRuntimeException();
      }
      cache.metaStore().unregister(id).get(timeoutMs, TimeUnit.MILLISECONDS);
      return RemoveNodeResponse.newBuilder().setPlacement(placementWithHints(map)).build();
    });
  }

  @Override
  public void getReplicaDigest(GetReplicaDigestRequest request, StreamObserver<ReplicaDigest> out) {
    answer(out, () -> {
      GroupId group = parseGroup(request.getGroupId());
      NodeId self = raft.config().nodeId();
      RaftServer.Division replica = raft.replica(group).orElseThrow(() -> Status.NOT_FOUND
          .withDescription("node " + self + " hosts no replica of " + group)
          .asRuntimeException());
      if (!(replica.getStateMachine() instanceof KvStateMachine sm)) {
        throw Status.NOT_FOUND.withDescription(group + " on " + self + " holds no key-value data")
            .asRuntimeException();
      }
      DataDigest digest = sm.dataDigest().orElseThrow(() -> new NotServingException(
          "the replica of " + group + " on " + self + " is not open (installing a snapshot?)"));
      return ReplicaDigest.newBuilder()
          .setNodeId(self.value())
          .setGroupId(group.value())
          .setAppliedIndex(digest.appliedIndex())
          .setEntries(digest.entries())
          .setSha256(digest.sha256())
          .build();
    });
  }

  private ClusterNode registered(NodeId id) throws Exception {
    return cache.metaStore().registeredNodes().get(timeoutMs, TimeUnit.MILLISECONDS).stream()
        .filter(n -> n.id().equals(id))
        .findFirst()
        .orElseThrow(() -> Status.NOT_FOUND
            .withDescription("node " + id + " is not registered in the cluster")
            .asRuntimeException());
  }

  private static GroupId parseGroup(String text) {
    try {
      return new GroupId(text);
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
  }

  private static NodeId parseNode(String text) {
    try {
      return new NodeId(text);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw invalid("node id '" + text + "' is invalid");
    }
  }

  private static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  private interface Call<T> {
    T run() throws Exception;
  }

  /** Runs a blocking call and maps its failure onto the contract's codes. */
  private static <T> void answer(StreamObserver<T> out, Call<T> call) {
    try {
      out.onNext(call.run());
      out.onCompleted();
    } catch (StatusRuntimeException e) {
      out.onError(e);
    } catch (NotServingException e) {
      out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.onError(Status.CANCELLED.asRuntimeException());
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
          ? e.getCause() : e;
      out.onError(Status.UNAVAILABLE.withDescription(cause.toString()).asRuntimeException());
    }
  }
}
