package dev.kv.server.api;

import dev.kv.api.placement.NodeId;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How this node reaches one group, wherever its leader is: through the local replica when there
 * is one, else through the group's leader over Raft's transport.
 */
public interface GroupAccess {
  /**
   * Replicates and applies one write (possibly in one log entry with others); throws {@link
   * NotServingException} when it cannot even be queued.
   */
  CompletableFuture<AppliedWrite> write(Command command);

  /** A linearizable read: it reflects every write acknowledged before it arrived. */
  CompletableFuture<ReadResult> readLinearizable(ReadRequest read);

  /**
   * Completes once this node's replica has applied everything committed before the call (a
   * barrier entry committed after it); fails where this node holds no replica.
   */
  CompletableFuture<Void> syncLocalReplica();

  /** A read without a quorum round: the local replica as it is, or the leader's if none here. */
  CompletableFuture<ReadResult> readSerializable(ReadRequest read);

  /** The group's leader as far as this node knows. */
  Optional<NodeId> leaderHint();
}
