package dev.kv.server.api;

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
import com.google.protobuf.ByteString;
import dev.kv.api.KeyHash;
import dev.kv.api.Limits;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CommandResult;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import dev.kv.statemachine.proto.ScanQuery;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The public KV gRPC service of one node. It validates each request against the node's limits,
 * turns writes into log entries for the data group and reads into queries, and maps every outcome
 * onto the status codes of the contract. Any node accepts any request: the {@link DataAccess}
 * forwards to the group's leader when this node does not lead it.
 */
public final class KvService extends KVGrpc.KVImplBase {
  private final DataAccess data;
  private final RequestValidator validator;
  private final Duration requestTimeout;
  private final String nodeId;

  public KvService(
      DataAccess data, Limits limits, Duration requestTimeout, String nodeId) {
    this.data = data;
    this.validator = new RequestValidator(limits);
    this.requestTimeout = requestTimeout;
    this.nodeId = nodeId;
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> out) {
    if (rejectInvalid(validator.get(request), out)) {
      return;
    }
    ReadRequest read =
        ReadRequest.newBuilder().setGet(GetQuery.newBuilder().setKey(request.getKey())).build();
    read(read, request.getConsistency(), out, result -> {
      var get = result.getGet();
      return GetResponse.newBuilder()
          .setHeader(header(result.getAppliedIndex(), request.getKey()))
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
    read(read, request.getConsistency(), out, result -> {
      ScanResponse.Builder response =
          ScanResponse.newBuilder()
              .setHeader(headerAt(result.getAppliedIndex(), ScanCursor.startHash(request.getCursor())))
              .setNextCursor(ScanCursor.encode(result.getScan().getResumeAfter()));
      for (var e : result.getScan().getEntriesList()) {
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
    write(Translate.put(request), out, (result, index) ->
        PutResponse.newBuilder()
            .setHeader(header(index, request.getKey()))
            .setVersion(result.getPut().getVersion())
            .build());
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> out) {
    if (rejectInvalid(validator.delete(request), out)) {
      return;
    }
    write(Translate.delete(request), out, (result, index) ->
        DeleteResponse.newBuilder()
            .setHeader(header(index, request.getKey()))
            .setExisted(result.getDelete().getExisted())
            .build());
  }

  @Override
  public void compareAndSet(CompareAndSetRequest request, StreamObserver<CompareAndSetResponse> out) {
    if (rejectInvalid(validator.compareAndSet(request), out)) {
      return;
    }
    write(Translate.compareAndSet(request), out, (result, index) ->
        CompareAndSetResponse.newBuilder()
            .setHeader(header(index, request.getKey()))
            .setSucceeded(result.getCompareAndSet().getSucceeded())
            .setVersion(result.getCompareAndSet().getVersion())
            .build());
  }

  private <R> void write(
      Command command, StreamObserver<R> out, BiFunction<CommandResult, Long, R> toResponse) {
    Duration timeout = timeout();
    CompletableFuture<AppliedWrite> pending;
    try {
      pending = data.write(command);
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
                out.onError(Statuses.rejection(result.result().getRejected()).asRuntimeException());
                return;
              }
              out.onNext(toResponse.apply(result.result(), result.index()));
              out.onCompleted();
            });
  }

  private <R> void read(
      ReadRequest read,
      Consistency consistency,
      StreamObserver<R> out,
      Function<ReadResult, R> toResponse) {
    Duration timeout = timeout();
    CompletableFuture<ReadResult> pending;
    try {
      pending =
          consistency == Consistency.SERIALIZABLE
              ? data.readLocal(read)
              : data.readLinearizable(read);
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
              out.onNext(toResponse.apply(result));
              out.onCompleted();
            });
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

  /** The reply header for an operation on {@code key}. */
  private ResponseHeader header(long index, ByteString key) {
    return headerAt(index, KeyHash.of(key.toByteArray()));
  }

  /** The reply header naming the group that owns {@code hash}. */
  private ResponseHeader headerAt(long index, long hash) {
    return ResponseHeader.newBuilder()
        .setIndex(index)
        .setGroupId(data.placement().groupFor(hash).value())
        .setServedBy(nodeId)
        .build();
  }

  private static boolean rejectInvalid(String problem, StreamObserver<?> out) {
    if (problem == null) {
      return false;
    }
    out.onError(Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException());
    return true;
  }
}
