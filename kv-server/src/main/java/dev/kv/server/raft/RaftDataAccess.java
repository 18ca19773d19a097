package dev.kv.server.raft;

import dev.kv.api.placement.PlacementMap;
import dev.kv.server.api.AppliedWrite;
import dev.kv.server.api.DataAccess;
import dev.kv.server.api.NotServingException;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import dev.kv.statemachine.ratis.KvStateMachine;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.server.RaftServer;

/**
 * {@link DataAccess} through this node's Raft server: writes through group commit, linearizable
 * reads through a shared ReadIndex barrier, serializable reads from the local replica.
 */
final class RaftDataAccess implements DataAccess {
  private static final ReadRequest BARRIER =
      ReadRequest.newBuilder()
          .setBarrier(dev.kv.statemachine.proto.ReadBarrier.getDefaultInstance())
          .build();

  private final RaftServer server;
  private final WriteBatcher batcher;
  private final ReadBarrier reads;
  private volatile boolean closing;

  RaftDataAccess(RaftServer server, GroupClient client, WriteBatcher batcher, int maxWaitingReads) {
    this.server = server;
    this.batcher = batcher;
    this.reads =
        new ReadBarrier(
            () -> client.readLinearizable(BARRIER), this::readLocalOrThrow, maxWaitingReads);
  }

  void stopAccepting() {
    closing = true;
  }

  @Override
  public CompletableFuture<AppliedWrite> write(Command command) {
    checkServing();
    return batcher.write(command);
  }

  @Override
  public CompletableFuture<ReadResult> readLinearizable(ReadRequest read) {
    checkServing();
    return reads.read(read);
  }

  @Override
  public CompletableFuture<ReadResult> readLocal(ReadRequest read) {
    checkServing();
    return CompletableFuture.completedFuture(readLocalOrThrow(read));
  }

  private ReadResult readLocalOrThrow(ReadRequest read) {
    return stateMachine()
        .readLocally(read)
        .orElseThrow(
            () -> new NotServingException("this node's replica is not open (installing a"
                + " snapshot or closing)"));
  }

  @Override
  public PlacementMap placement() {
    return DataGroup.PLACEMENT;
  }

  KvStateMachine stateMachine() {
    try {
      return (KvStateMachine) server.getDivision(DataGroup.ID).getStateMachine();
    } catch (IOException e) {
      throw new NotServingException(
          "this node does not host group " + DataGroup.NAME + ": " + e.getMessage());
    }
  }

  private void checkServing() {
    if (closing) {
      throw new NotServingException("this node is shutting down; use another node");
    }
  }
}
