package dev.kv.server.raft;

import dev.kv.server.api.DataAccess;
import dev.kv.server.config.NodeConfig;
import dev.kv.statemachine.ratis.FatalErrorHandler;
import dev.kv.statemachine.ratis.KvStateMachine;
import dev.kv.statemachine.storage.RocksDbResources;
import java.io.IOException;
import java.time.InstantSource;
import java.util.Optional;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.conf.Parameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's Raft side: one Ratis server hosting the data group's replica (a {@link
 * KvStateMachine} on RocksDB), and the client it uses to reach the group's leader.
 *
 * <p>The first start formats the group with the configured peers; later starts recover it from
 * the data directory (Ratis falls back from RECOVER to FORMAT only when no group directory
 * exists), and the membership recorded in the log takes precedence over the configured one.
 */
public final class RaftNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
  private static final long HANDOFF_TIMEOUT_MS = 5_000;
  // Group commit bounds (see WriteBatcher). With one entry in flight the next batch fills for a
  // whole Raft round: at 64 clients on 2 cores that measured 6.2-6.7k writes/s against 5.7-5.9k
  // with two in flight, and a lower p99, because per-entry RPC costs are paid less often.
  // 256 writes per entry amortise a round without huge entries.
  private static final int MAX_BATCH_COMMANDS = 256;
  private static final int MAX_BATCHES_IN_FLIGHT = 1;
  private static final int MAX_QUEUED_WRITES = 10_000;
  private static final int MAX_WAITING_READS = 10_000;

  private final RocksDbResources resources;
  private final RaftServer server;
  private final GroupClient client;
  private final RaftDataAccess data;

  private RaftNode(
      NodeConfig config, RocksDbResources resources, RaftServer server, GroupClient client) {
    this.resources = resources;
    this.server = server;
    this.client = client;
    WriteBatcher batcher =
        new WriteBatcher(
            client::write,
            InstantSource.system(),
            MAX_BATCH_COMMANDS,
            NodeConfig.maxMessageBytes(config.limits()) - 4096,
            MAX_BATCHES_IN_FLIGHT,
            MAX_QUEUED_WRITES);
    this.data = new RaftDataAccess(server, client, batcher, MAX_WAITING_READS);
  }

  public static RaftNode start(NodeConfig config, FatalErrorHandler fatal) throws IOException {
    RocksDbResources resources = RocksDbResources.defaults();
    RaftPeerId self = RaftPeerId.valueOf(config.nodeId().value());
    RaftServer server;
    try {
      server =
          RaftServer.newBuilder()
              .setServerId(self)
              .setGroup(DataGroup.of(config.peers()))
              .setOption(RaftStorage.StartupOption.RECOVER)
              .setProperties(RaftPropertiesMapper.serverProperties(config))
              .setParameters(new Parameters())
              .setStateMachineRegistry(
                  groupId -> new KvStateMachine(resources, config.apply(), fatal))
              .build();
      server.start();
    } catch (IOException | RuntimeException e) {
      resources.close();
      throw e;
    }
    LOG.info("{}: Raft server listening on {}", self, config.raftAddress());
    GroupClient client = new GroupClient(config, DataGroup.of(config.peers()), server);
    return new RaftNode(config, resources, server, client);
  }

  public DataAccess dataAccess() {
    return data;
  }

  public RaftServer server() {
    return server;
  }

  /** New requests are refused with UNAVAILABLE; requests in flight complete. */
  public void stopAccepting() {
    data.stopAccepting();
  }

  /** If this node leads the data group, moves the leadership to another replica. */
  Optional<RaftPeerId> handOffLeadership() {
    return LeadershipHandoff.handOff(server, DataGroup.ID, client.raftClient(), HANDOFF_TIMEOUT_MS);
  }

  @Override
  public void close() {
    handOffLeadership();
    try {
      client.close();
    } catch (IOException e) {
      LOG.warn("closing the Raft client failed", e);
    }
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("closing the Raft server failed", e);
    }
    resources.close();
  }
}
