package dev.kv.server.backup;

import dev.kv.api.KeyHash;
import dev.kv.api.Limits;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.v1.BackupRecord;
import dev.kv.api.v1.ImportRecordsRequest;
import dev.kv.api.v1.ImportRecordsResponse;
import dev.kv.server.api.AppliedWrite;
import dev.kv.server.api.NotServingException;
import dev.kv.server.api.Routing;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CommandResult;
import dev.kv.statemachine.proto.ImportRecord;
import dev.kv.statemachine.proto.Rejection;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Serves {@code ImportRecords}: checks every record against this node's limits, then writes each
 * through the group that owns its key in this node's placement map, as an {@code ImportRecord}
 * command (group commit batches them like any write). The target may have any number of groups:
 * records are routed by hash, not by the group they were exported from.
 *
 * <p>A request either fails validation and writes nothing, or is submitted whole; when it fails
 * after that (a group without a leader, a timeout), some records may be written, and retrying the
 * same request is safe: an import of what a key already holds changes nothing.
 */
public final class RecordImporter {
  /** Records one request may carry. */
  public static final int MAX_RECORDS_PER_REQUEST = 10_000;

  private final Routing routing;
  private final Limits limits;
  private final Duration timeout;

  public RecordImporter(Routing routing, Limits limits, Duration timeout) {
    this.routing = routing;
    this.limits = limits;
    this.timeout = timeout;
  }

  public void importRecords(ImportRecordsRequest request, StreamObserver<ImportRecordsResponse> out) {
    String invalid = validate(request);
    if (invalid != null) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(invalid).asRuntimeException());
      return;
    }
    List<CompletableFuture<AppliedWrite>> writes = new ArrayList<>(request.getRecordsCount());
    try {
      PlacementMap map = routing.placement();
      for (BackupRecord record : request.getRecordsList()) {
        var owner = map.assignmentFor(KeyHash.of(record.getKey().toByteArray())).group();
        writes.add(routing.group(owner).write(command(record)));
      }
    } catch (NotServingException e) {
      // Records already queued may still be written: the retry the client makes is harmless.
      out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((ignored, failure) -> {
          if (failure != null) {
            out.onError(Status.DEADLINE_EXCEEDED
                .withDescription("not every record was applied within " + timeout.toMillis()
                    + " ms (" + failure + "); some may have been: retrying the request is safe")
                .asRuntimeException());
            return;
          }
          reply(writes, out);
        });
  }

  private void reply(
      List<CompletableFuture<AppliedWrite>> writes, StreamObserver<ImportRecordsResponse> out) {
    long written = 0;
    long unchanged = 0;
    for (int i = 0; i < writes.size(); i++) {
      CommandResult result = writes.get(i).join().result();
      if (result.hasRejected()) {
        Rejection rejection = result.getRejected();
        if (rejection.getReason() == Rejection.Reason.WRONG_GROUP) {
          routing.refreshPlacement();
        }
        Status status = rejection.getReason() == Rejection.Reason.WRONG_GROUP
            ? Status.UNAVAILABLE : Status.INVALID_ARGUMENT;
        out.onError(status
            .withDescription("record " + i + " was refused: " + rejection.getMessage())
            .asRuntimeException());
        return;
      }
      if (result.getImportRecord().getWritten()) {
        written++;
      } else {
        unchanged++;
      }
    }
    out.onNext(ImportRecordsResponse.newBuilder().setWritten(written).setUnchanged(unchanged).build());
    out.onCompleted();
  }

  private String validate(ImportRecordsRequest request) {
    if (request.getRecordsCount() > MAX_RECORDS_PER_REQUEST) {
      return "the request carries " + request.getRecordsCount() + " records; the limit is "
          + MAX_RECORDS_PER_REQUEST;
    }
    for (int i = 0; i < request.getRecordsCount(); i++) {
      BackupRecord record = request.getRecords(i);
      String problem = limits.checkKey(record.getKey().size());
      if (problem == null) {
        problem = limits.checkValue(record.getValue().size());
      }
      if (problem == null && record.getVersion() == 0) {
        problem = "version is 0; a record's version must be >= 1";
      }
      if (problem != null) {
        return "record " + i + ": " + problem + "; nothing of this request was written";
      }
    }
    return null;
  }

  private static Command command(BackupRecord record) {
    return Command.newBuilder()
        .setImportRecord(
            ImportRecord.newBuilder()
                .setKey(record.getKey())
                .setValue(record.getValue())
                .setVersion(record.getVersion()))
        .build();
  }
}
