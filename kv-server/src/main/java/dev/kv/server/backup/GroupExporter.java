package dev.kv.server.backup;

import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.GroupPlacement;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.v1.ExportChunk;
import dev.kv.api.v1.ExportGroupRequest;
import dev.kv.server.api.NotServingException;
import dev.kv.server.api.Routing;
import dev.kv.server.raft.RaftGroups;
import dev.kv.server.raft.RaftNode;
import dev.kv.statemachine.ratis.KvStateMachine;
import dev.kv.statemachine.storage.StorageException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code ExportGroup}: a linearizable barrier through this node's replica of the group, so
 * it has applied every write acknowledged before the export began; a checkpoint of the replica's
 * database, which holds exactly what was applied up to the index recorded in it; then the
 * checkpoint, streamed in bounded chunks as fast as the client reads them (gRPC flow control), so
 * memory stays bounded on both sides however large the group. The live database, Raft and other
 * requests go on meanwhile; the checkpoint (hard links) lives under {@code <data dir>/exports}
 * until the stream ends or is cancelled.
 *
 * <p>Never fails the node: bad requests get INVALID_ARGUMENT or NOT_FOUND, a node without a replica
 * FAILED_PRECONDITION naming the replicas, a replica that cannot serve right now UNAVAILABLE.
 */
public final class GroupExporter {
  private static final Logger LOG = LoggerFactory.getLogger(GroupExporter.class);

  /** Exports one node serves at once; each holds a checkpoint and an open read-only database. */
  public static final int MAX_CONCURRENT_EXPORTS = 4;

  private final RaftNode raft;
  private final Routing routing;
  private final Path exportsDir;
  private final long timeoutMs;
  private final AtomicInteger running = new AtomicInteger();

  public GroupExporter(RaftNode raft, Routing routing) {
    this.raft = raft;
    this.routing = routing;
    this.exportsDir = raft.config().dataDir().resolve("exports");
    this.timeoutMs = raft.config().requestTimeout().toMillis();
    // Checkpoints of exports that a crash interrupted; nothing else lives there.
    if (Files.exists(exportsDir)) {
      ExportStream.deleteQuietly(exportsDir);
    }
  }

  /** Exports in progress on this node. */
  public int running() {
    return running.get();
  }

  public void export(ExportGroupRequest request, StreamObserver<ExportChunk> out) {
    ServerCallStreamObserver<ExportChunk> call = (ServerCallStreamObserver<ExportChunk>) out;
    if (running.incrementAndGet() > MAX_CONCURRENT_EXPORTS) {
      running.decrementAndGet();
      out.onError(Status.RESOURCE_EXHAUSTED
          .withDescription("this node is serving " + MAX_CONCURRENT_EXPORTS + " exports (the limit"
              + " is " + MAX_CONCURRENT_EXPORTS + "); retry later or ask another replica")
          .asRuntimeException());
      return;
    }
    ExportStream stream;
    try {
      stream = prepare(request);
    } catch (StatusRuntimeException e) {
      running.decrementAndGet();
      out.onError(e);
      return;
    }
    LOG.info("export of {} at index {} started", request.getGroupId(),
        stream.start().getAppliedIndex());
    // Both handlers run on the call's serialized executor, never at the same time.
    call.setOnCancelHandler(() -> finish(stream, "cancelled by the client"));
    call.setOnReadyHandler(() -> pump(call, stream));
  }

  /** Sends chunks while the client keeps up; gRPC calls again once it has read some. */
  private void pump(ServerCallStreamObserver<ExportChunk> call, ExportStream stream) {
    if (stream.isClosed()) {
      return;
    }
    try {
      while (call.isReady()) {
        ExportChunk chunk = stream.next();
        if (chunk == null) {
          finish(stream, "done");
          call.onCompleted();
          return;
        }
        call.onNext(chunk);
      }
    } catch (StorageException e) {
      finish(stream, "failed: " + e);
      call.onError(Status.UNAVAILABLE
          .withDescription("cannot read the export's checkpoint on this node (" + e.getMessage()
              + "); retry, or ask another replica")
          .asRuntimeException());
    }
  }

  private void finish(ExportStream stream, String how) {
    if (!stream.isClosed()) {
      running.decrementAndGet();
      stream.close();
      LOG.info("export of {} {}", stream.start().getGroupId(), how);
    }
  }

  private ExportStream prepare(ExportGroupRequest request) {
    GroupId group;
    try {
      group = new GroupId(request.getGroupId());
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    if (group.equals(RaftGroups.META)) {
      throw Status.INVALID_ARGUMENT
          .withDescription("the meta group is not exported: it holds the placement, which a"
              + " restored cluster has of its own; export the data groups")
          .asRuntimeException();
    }
    try {
      PlacementMap map = routing.placement();
      GroupPlacement placement = map.group(group).orElseThrow(() -> Status.NOT_FOUND
          .withDescription("no group " + group + " in placement epoch " + map.epoch())
          .asRuntimeException());
      var replica = raft.replica(group).orElseThrow(() -> Status.FAILED_PRECONDITION
          .withDescription("node " + raft.config().nodeId() + " holds no replica of " + group
              + "; ask one of its replicas: " + placement.replicas())
          .asRuntimeException());
      // Completes once this replica has applied everything committed before it was sent.
      routing.group(group).syncLocalReplica().get(timeoutMs, TimeUnit.MILLISECONDS);
      Files.createDirectories(exportsDir);
      Path checkpoint = exportsDir.resolve(group.value() + "-" + UUID.randomUUID());
      if (!((KvStateMachine) replica.getStateMachine()).checkpointTo(checkpoint)) {
        throw new NotServingException(
            "this node's replica of " + group + " is not open (installing a snapshot or closing)");
      }
      return ExportStream.open(checkpoint, group, raft.config().nodeId().value());
    } catch (NotServingException | StorageException | IOException | TimeoutException e) {
      throw unavailable(group, e.toString());
    } catch (ExecutionException e) {
      throw unavailable(group, String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    }
  }

  private static StatusRuntimeException unavailable(GroupId group, String why) {
    return Status.UNAVAILABLE
        .withDescription("cannot start an export of " + group + " here (" + why + "); retry, or"
            + " ask another replica")
        .asRuntimeException();
  }
}
