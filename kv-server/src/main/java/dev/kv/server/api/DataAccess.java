package dev.kv.server.api;

import dev.kv.api.placement.PlacementMap;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import java.util.concurrent.CompletableFuture;

/** How the API reaches the data group: writes and reads, wherever its leader is. */
public interface DataAccess {
  /**
   * Replicates and applies one write (possibly in one log entry with others); throws {@link
   * NotServingException} when it cannot even be queued.
   */
  CompletableFuture<AppliedWrite> write(Command command);

  /** A linearizable read (ReadIndex). */
  CompletableFuture<ReadResult> readLinearizable(ReadRequest read);

  /** A read of this node's replica as it is (serializable, possibly stale). */
  CompletableFuture<ReadResult> readLocal(ReadRequest read);

  /** Which group owns which keys; reported in response headers. */
  PlacementMap placement();
}
