package dev.kv.statemachine.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kv.statemachine.apply.Applier;
import dev.kv.statemachine.apply.ApplyConfig;
import dev.kv.statemachine.apply.OwnedRanges;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.LogEntry;
import dev.kv.statemachine.proto.Put;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.storage.RocksDbResources;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Ratis adapter's lifecycle around a snapshot install, on real RocksDB and Raft storage. */
class KvStateMachineTest {
  @TempDir Path dir;

  private final List<String> fatalErrors = new CopyOnWriteArrayList<>();
  private RocksDbResources resources;
  private RaftStorage storage;
  private KvStateMachine stateMachine;

  @BeforeEach
  void start() throws Exception {
    resources = RocksDbResources.defaults();
    storage =
        RaftStorage.newBuilder()
            .setDirectory(dir.toFile())
            .setOption(RaftStorage.StartupOption.FORMAT)
            .setStorageFreeSpaceMin(SizeInBytes.ONE_MB)
            .build();
    storage.initialize();
    stateMachine =
        new KvStateMachine(
            resources,
            ApplyConfig.DEFAULTS,
            (what, cause) -> fatalErrors.add(what + ": " + cause),
            OwnedRanges.WHOLE_RING);
    stateMachine.initialize(serverNamed("s1"), RaftGroupId.randomId(), storage);
  }

  /** The state machine asks its server only for its id (to name itself in log lines). */
  private static RaftServer serverNamed(String id) {
    return (RaftServer)
        Proxy.newProxyInstance(
            RaftServer.class.getClassLoader(),
            new Class<?>[] {RaftServer.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getId")) {
                return RaftPeerId.valueOf(id);
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  @AfterEach
  void stop() throws Exception {
    stateMachine.close();
    storage.close();
    resources.close();
  }

  /**
   * Ratis pauses the state machine before it swaps in a snapshot from the leader, but its apply
   * thread may still hand over entries it had committed until it sees the reload. They are below
   * the snapshot, so they are left to it: neither a fatal error nor a write to a closed database.
   */
  @Test
  void anEntryHandedOverWhilePausedForAnInstallIsLeftToTheSnapshot() throws Exception {
    apply(1, "a", "1").join();
    assertThat(stateMachine.takeSnapshot()).isEqualTo(1);
    apply(2, "b", "2").join();

    stateMachine.pause();
    assertThat(apply(3, "c", "3")).isCompletedWithValue(Message.EMPTY);
    assertThat(fatalErrors).isEmpty();

    // Here Ratis would have swapped in the leader's snapshot; the newest one on disk is at 1.
    stateMachine.reinitialize();
    assertThat(stateMachine.getLastAppliedTermIndex().getIndex()).isEqualTo(1);
    assertThat(found("a")).isTrue();
    assertThat(found("b")).isFalse();
    assertThat(found("c")).isFalse();
    apply(2, "b", "2").join();
    assertThat(found("b")).isTrue();
    assertThat(fatalErrors).isEmpty();
  }

  private CompletableFuture<Message> apply(long index, String key, String value) {
    LogEntry entry =
        LogEntry.newBuilder()
            .setFormatVersion(Applier.FORMAT_VERSION)
            .addCommands(
                Command.newBuilder()
                    .setPut(
                        Put.newBuilder()
                            .setKey(ByteString.copyFromUtf8(key))
                            .setValue(ByteString.copyFromUtf8(value))))
            .build();
    LogEntryProto logEntry =
        LogEntryProto.newBuilder()
            .setTerm(1)
            .setIndex(index)
            .setStateMachineLogEntry(
                StateMachineLogEntryProto.newBuilder()
                    .setLogData(UnsafeByteOperations.unsafeWrap(entry.toByteArray())))
            .build();
    return stateMachine.applyTransaction(
        TransactionContext.newBuilder()
            .setServerRole(RaftPeerRole.FOLLOWER)
            .setStateMachine(stateMachine)
            .setLogEntry(logEntry)
            .build());
  }

  private boolean found(String key) {
    ReadRequest read =
        ReadRequest.newBuilder()
            .setGet(GetQuery.newBuilder().setKey(ByteString.copyFromUtf8(key)))
            .build();
    return stateMachine.readLocally(read).orElseThrow().getGet().getFound();
  }
}
