package dev.kv.server.api;

import com.google.protobuf.ByteString;
import dev.kv.api.KeyHash;
import dev.kv.api.Limits;
import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.v1.CompareAndSetRequest;
import dev.kv.api.v1.CompareAndSetResponse;
import dev.kv.api.v1.Consistency;
import dev.kv.api.v1.DeleteRequest;
import dev.kv.api.v1.DeleteResponse;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.GetResponse;
import dev.kv.api.v1.KVGrpc;
import dev.kv.api.v1.KeyValue;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.PutResponse;
import dev.kv.api.v1.ResponseHeader;
import dev.kv.api.v1.ScanRequest;
import dev.kv.api.v1.ScanResponse;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CommandResult;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import dev.kv.statemachine.proto.Rejection;
import dev.kv.statemachine.proto.ScanQuery;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The public KV gRPC service of one node. It validates each request against the node's limits,
 * routes it by key hash to the owning group with this node's placement map (checking the epoch the
 * client routed with), turns writes into log entries and reads into queries, and maps every
 * outcome onto the status codes of the contract. Any node accepts any request: a group this node
 * does not lead is reached through its leader.
 */
public final class KvService extends KVGrpc.KVImplBase {
  private final Routing routing;
  private final RequestValidator validator;
  private final Duration requestTimeout;
  private final String nodeId;

  public KvService(Routing routing, Limits limits, Duration requestTimeout, String nodeId) {
    this.routing = routing;
    this.validator = new RequestValidator(limits);
    this.requestTimeout = requestTimeout;
    this.nodeId = nodeId;
  }

  /** Where one request goes: the map it was routed with and the owning group. */
  private record Route(PlacementMap map, PlacementMap.Assignment owner, GroupAccess group) {}

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> out) {
    if (rejectInvalid(validator.get(request), out)) {
      return;
    }
    Route route = route(request.getRoutingEpoch(), hashOf(request.getKey()), out);
    if (route == null) {
      return;
    }
    ReadRequest read =
        ReadRequest.newBuilder().setGet(GetQuery.newBuilder().setKey(request.getKey())).build();
    read(route, read, request.getConsistency(), out, result -> {
      var get = result.getGet();
      return GetResponse.newBuilder()
          .setHeader(header(route, result.getAppliedIndex()))
          .setFound(get.getFound())
          .setValue(get.getValue())
          .setVersion(get.getVersion())
          .build();
    });
  }

  @Override
  public void scan(ScanRequest request, StreamObserver<ScanResponse> out) {
    if (rejectInvalid(validator.scan(request), out)) {
      return;
    }
    Route route = route(request.getRoutingEpoch(), ScanCursor.startHash(request.getCursor()), out);
    if (route == null) {
      return;
    }
    int limit = request.getLimit() == 0 ? Limits.DEFAULT_SCAN_LIMIT : request.getLimit();
    ReadRequest read =
        ReadRequest.newBuilder()
            .setScan(
                ScanQuery.newBuilder()
                    .setAfter(ScanCursor.decode(request.getCursor()))
                    .setLimit(limit)
                    .setKeyPrefix(request.getKeyPrefix())
                    .setKeysOnly(request.getKeysOnly()))
            .build();
    read(route, read, request.getConsistency(), out, result -> {
      var scan = result.getScan();
      ByteString next;
      if (!scan.getResumeAfter().isEmpty()) {
        next = ScanCursor.encode(scan.getResumeAfter());
      } else if (scan.getRangeEnd() != 0) {
        // This group's range is done; the next page starts where the next range begins.
        next = ScanCursor.atRangeStart(scan.getRangeEnd());
      } else {
        next = ByteString.EMPTY;
      }
      ScanResponse.Builder response =
          ScanResponse.newBuilder().setHeader(header(route, result.getAppliedIndex())).setNextCursor(next);
      for (var e : scan.getEntriesList()) {
        response.addEntries(
            KeyValue.newBuilder().setKey(e.getKey()).setValue(e.getValue()).setVersion(e.getVersion()));
      }
      return response.build();
    });
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> out) {
    if (rejectInvalid(validator.put(request), out)) {
      return;
    }
    write(request.getKey(), request.getRoutingEpoch(), Translate.put(request), out,
        (route, result, index) -> PutResponse.newBuilder()
            .setHeader(header(route, index))
            .setVersion(result.getPut().getVersion())
            .build());
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> out) {
    if (rejectInvalid(validator.delete(request), out)) {
      return;
    }
    write(request.getKey(), request.getRoutingEpoch(), Translate.delete(request), out,
        (route, result, index) -> DeleteResponse.newBuilder()
            .setHeader(header(route, index))
            .setExisted(result.getDelete().getExisted())
            .build());
  }

  @Override
  public void compareAndSet(CompareAndSetRequest request, StreamObserver<CompareAndSetResponse> out) {
    if (rejectInvalid(validator.compareAndSet(request), out)) {
      return;
    }
    write(request.getKey(), request.getRoutingEpoch(), Translate.compareAndSet(request), out,
        (route, result, index) -> CompareAndSetResponse.newBuilder()
            .setHeader(header(route, index))
            .setSucceeded(result.getCompareAndSet().getSucceeded())
            .setVersion(result.getCompareAndSet().getVersion())
            .build());
  }

  /**
   * Finds the group owning {@code hash} with this node's map, or answers the request with the
   * routing error and returns null: ABORTED with the newer map when the client routed with an
   * older epoch, UNAVAILABLE while this node's map is the older one (it refreshes).
   */
  private Route route(long clientEpoch, long hash, StreamObserver<?> out) {
    try {
      PlacementMap map = routing.placement();
      if (clientEpoch > map.epoch()) {
        routing.refreshPlacement();
        out.onError(Status.UNAVAILABLE
            .withDescription("this node's placement map (epoch " + map.epoch() + ") is older than"
                + " the request's routing_epoch " + clientEpoch + "; it is refreshing, retry")
            .asRuntimeException());
        return null;
      }
      if (clientEpoch != 0 && clientEpoch < map.epoch()) {
        out.onError(RoutingErrors.staleEpoch(clientEpoch, map));
        return null;
      }
      PlacementMap.Assignment owner = map.assignmentFor(hash);
      return new Route(map, owner, routing.group(owner.group()));
    } catch (NotServingException e) {
      out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
      return null;
    }
  }

  /** Builds a write's reply from where it went, its result and its log index. */
  private interface WriteReply<R> {
    R build(Route route, CommandResult result, long index);
  }

  /** Routes a write of {@code key} and answers it; a routing error answers it at once. */
  private <R> void write(
      ByteString key,
      long clientEpoch,
      Command command,
      StreamObserver<R> out,
      WriteReply<R> toResponse) {
    Route route = route(clientEpoch, hashOf(key), out);
    if (route == null) {
      return;
    }
    Duration timeout = timeout();
    CompletableFuture<AppliedWrite> pending;
    try {
      pending = route.group().write(command);
    } catch (NotServingException e) {
      out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    pending
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (result, failure) -> {
              if (failure != null) {
                out.onError(Statuses.writeFailure(failure, timeout).asRuntimeException());
                return;
              }
              if (result.result().hasRejected()) {
                out.onError(rejected(route, result.result().getRejected()));
                return;
              }
              out.onNext(toResponse.build(route, result.result(), result.index()));
              out.onCompleted();
            });
  }

  private <R> void read(
      Route route,
      ReadRequest read,
      Consistency consistency,
      StreamObserver<R> out,
      java.util.function.Function<ReadResult, R> toResponse) {
    Duration timeout = timeout();
    CompletableFuture<ReadResult> pending;
    try {
      pending =
          consistency == Consistency.SERIALIZABLE
              ? route.group().readSerializable(read)
              : route.group().readLinearizable(read);
    } catch (NotServingException e) {
      out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    pending
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (result, failure) -> {
              if (failure != null) {
                out.onError(Statuses.readFailure(failure, timeout).asRuntimeException());
                return;
              }
              if (result.hasRejected()) {
                out.onError(rejected(route, result.getRejected()));
                return;
              }
              out.onNext(toResponse.apply(result));
              out.onCompleted();
            });
  }

  /**
   * A group refused the request: WRONG_GROUP means this node's map and the group disagree about
   * ownership (one of them is behind), so the node refreshes and the client retries.
   */
  private io.grpc.StatusRuntimeException rejected(Route route, Rejection rejection) {
    if (rejection.getReason() == Rejection.Reason.WRONG_GROUP) {
      routing.refreshPlacement();
      return Status.UNAVAILABLE
          .withDescription("group " + route.owner().group() + " refused the key: "
              + rejection.getMessage())
          .asRuntimeException();
    }
    return Statuses.rejection(rejection).asRuntimeException();
  }

  /** The time this node spends on a request: the client's deadline, capped by the node's. */
  private Duration timeout() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline == null) {
      return requestTimeout;
    }
    long remaining = Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS));
    return Duration.ofMillis(Math.min(remaining, requestTimeout.toMillis()));
  }

  private ResponseHeader header(Route route, long index) {
    GroupId group = route.owner().group();
    ResponseHeader.Builder header =
        ResponseHeader.newBuilder()
            .setIndex(index)
            .setGroupId(group.value())
            .setServedBy(nodeId)
            .setPlacementEpoch(route.map().epoch());
    route.group().leaderHint().ifPresent(l -> header.setLeaderHint(l.value()));
    return header.build();
  }

  private static long hashOf(ByteString key) {
    return KeyHash.of(key.toByteArray());
  }

  private static boolean rejectInvalid(String problem, StreamObserver<?> out) {
    if (problem == null) {
      return false;
    }
    out.onError(Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException());
    return true;
  }
}
