package dev.kv.server.api;

import dev.kv.statemachine.proto.EntryResult;
import dev.kv.statemachine.proto.LogEntry;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import java.util.concurrent.CompletableFuture;

/** How the API reaches the data group: writes and reads, wherever its leader is. */
public interface DataAccess {
  /** Replicates and applies the entry; throws {@link NotServingException} if it cannot start. */
  CompletableFuture<EntryResult> write(LogEntry entry);

  /** A linearizable read (ReadIndex). */
  CompletableFuture<ReadResult> readLinearizable(ReadRequest read);

  /** A read of this node's replica as it is (serializable, possibly stale). */
  CompletableFuture<ReadResult> readLocal(ReadRequest read);

  /** The name of the group reported in response headers. */
  String groupName();
}
