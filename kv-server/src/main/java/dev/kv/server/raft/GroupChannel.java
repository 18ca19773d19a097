package dev.kv.server.raft;

import com.codahale.metrics.Counter;
import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.NodeId;
import dev.kv.server.api.AppliedWrite;
import dev.kv.server.api.GroupAccess;
import dev.kv.server.api.NotServingException;
import dev.kv.server.config.NodeConfig;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import dev.kv.statemachine.ratis.KvStateMachine;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * This node's way into one group: writes through group commit; linearizable reads through
 * ReadIndex, or a barrier in the log; serializable reads from the local replica (or the
 * leader's).
 *
 * <p>At the leader, the linearizable reads waiting together share one {@link ReadIndex} round:
 * once a majority of voters confirm, after the reads arrived, that no newer leader exists, they
 * are served from the local replica as soon as it has applied the commit index noted at the
 * start. When the round cannot confirm (too few voters answer in time, a newer term), they wait
 * instead for a barrier: an entry proposed after they arrived, committed (riding on the next batch
 * of writes, or an empty entry on an idle group). Any other node proposes a barrier, reads the
 * leader's state and keeps the answer only if it has applied the barrier: a follower would
 * otherwise wait for the leader's next heartbeat to learn that the barrier is committed.
 *
 * <p>Why not Ratis' ReadIndex: Ratis 3.3.0 answers a ReadIndex at once, without asking any
 * follower, when the leader's commit index has not moved since the last read its followers
 * confirmed, so a leader deposed meanwhile (paused, or cut off before it noticed) served reads
 * that missed writes its successor had committed and acknowledged (docs/RATIS-WORKAROUNDS.md).
 */
final class GroupChannel implements GroupAccess, AutoCloseable {
  /**
   * A planted bug for the chaos suite, never set in production: linearizable reads are served
   * like serializable ones, without a barrier (stale reads), so the suite can prove it catches
   * them.
   */
  private static final boolean CHAOS_BUG_STALE_READS =
      "true".equals(System.getenv("KV_CHAOS_BUG_STALE_READS"));

  private final RaftServer server;
  private final RaftGroup group;
  private final List<RaftPeer> peers;
  private final GroupClient client;
  private final WriteBatcher batcher;
  private final ReadIndex readIndex;
  private final Counter readIndexFallbacks;
  private final ReadBarrier barrier;
  private volatile boolean closing;

  GroupChannel(
      NodeConfig config,
      RaftServer server,
      GroupId id,
      List<RaftPeer> peers,
      ReadIndex readIndex,
      Counter readIndexFallbacks,
      RaftNode.Bounds bounds) {
    this.server = server;
    this.group = RaftGroups.group(id, clientPeers(server, id, peers));
    this.peers = peers;
    this.readIndex = readIndex;
    this.readIndexFallbacks = readIndexFallbacks;
    this.client = new GroupClient(config, group, server);
    this.batcher =
        new WriteBatcher(
            client::write,
            GroupClock.system(),
            bounds.maxBatchCommands(),
            NodeConfig.maxMessageBytes(config.limits()) - 4096,
            bounds.maxBatchesInFlight(),
            bounds.maxQueuedWrites());
    this.barrier =
        new ReadBarrier(this::barrierApplied, this::readLocalOrThrow, bounds.maxWaitingReads());
  }

  /**
   * Completes once this node's replica has applied everything committed before the call: at the
   * index a {@link ReadIndex} round confirms, or, when it cannot (this node does not lead, or too
   * few voters answer), at a barrier entry proposed now.
   */
  private CompletableFuture<Void> barrierApplied() {
    CompletableFuture<Long> confirmed;
    try {
      confirmed = readIndex.confirm(server.getDivision(group.getGroupId()));
    } catch (IOException | RuntimeException e) {
      confirmed = CompletableFuture.failedFuture(e);
    }
    return confirmed
        .exceptionallyCompose(notConfirmed -> {
          readIndexFallbacks.inc();
          return batcher.barrier();
        })
        .thenCompose(index -> localReplica().whenApplied(index));
  }

  @Override
  public CompletableFuture<Void> syncLocalReplica() {
    checkServing();
    return barrierApplied();
  }

  /**
   * The peers this node's Raft client of the group must know: the replicas the map lists, plus,
   * when this node hosts a replica, every voter of that replica's configuration. While a replica
   * moves, the map already lists the new replica set, but the group's leader, and this replica
   * itself, may be leaving members still serving; the client reads through this replica and
   * follows the leader, and a Ratis client cannot reach a peer missing from its list.
   */
  private static List<RaftPeer> clientPeers(RaftServer server, GroupId id, List<RaftPeer> mapped) {
    RaftServer.Division local;
    try {
      local = server.getDivision(RaftGroups.idOf(id));
    } catch (IOException notHosted) {
      return mapped;
    }
    Map<RaftPeerId, RaftPeer> all = new LinkedHashMap<>();
    mapped.forEach(p -> all.put(p.getId(), p));
    local.getRaftConf().getAllPeers().forEach(p -> all.putIfAbsent(p.getId(), p));
    return List.copyOf(all.values());
  }

  /** The voting replicas this channel was made for, as the caller listed them. */
  List<RaftPeer> peers() {
    return peers;
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
    if (CHAOS_BUG_STALE_READS) {
      return readSerializable(read);
    }
    checkServing();
    return leadsHere()
        ? barrier.read(read)
        : batcher.barrier().thenCompose(index -> readAtLeaderAfter(read, index));
  }

  /**
   * For a node that does not lead the group: reads the leader's state and keeps the answer only
   * if it includes the barrier entry at {@code index}. Whoever answered, a replica that has
   * applied the barrier holds everything committed before the read arrived.
   */
  private CompletableFuture<ReadResult> readAtLeaderAfter(ReadRequest read, long index) {
    return client.readAtLeaderWithoutQuorum(read).thenApply(result -> {
      if (result.getAppliedIndex() < index) {
        throw new NotServingException("the replica that answered had applied the log up to "
            + result.getAppliedIndex() + ", short of this read's barrier at " + index + "; retry");
      }
      return result;
    });
  }

  @Override
  public CompletableFuture<ReadResult> readSerializable(ReadRequest read) {
    checkServing();
    return hostedHere()
        ? CompletableFuture.completedFuture(readLocalOrThrow(read))
        : client.readAtLeaderWithoutQuorum(read);
  }

  @Override
  public Optional<NodeId> leaderHint() {
    try {
      RaftPeerId leader = server.getDivision(group.getGroupId()).getInfo().getLeaderId();
      return Optional.ofNullable(leader).map(id -> new NodeId(id.toString()));
    } catch (IOException e) {
      return client.leaderHint().map(id -> new NodeId(id.toString()));
    }
  }

  private boolean leadsHere() {
    try {
      return server.getDivision(group.getGroupId()).getInfo().isLeader();
    } catch (IOException e) {
      return false;
    }
  }

  private boolean hostedHere() {
    try {
      server.getDivision(group.getGroupId());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private KvStateMachine localReplica() {
    try {
      return (KvStateMachine) server.getDivision(group.getGroupId()).getStateMachine();
    } catch (IOException e) {
      throw new NotServingException(
          "this node no longer hosts a replica of " + group.getGroupId() + "; retry");
    }
  }

  private ReadResult readLocalOrThrow(ReadRequest read) {
    return localReplica().readLocally(read)
        .orElseThrow(
            () -> new NotServingException("this node's replica is not open (installing a"
                + " snapshot or closing)"));
  }

  private void checkServing() {
    if (closing) {
      throw new NotServingException("this node is shutting down; use another node");
    }
  }

  @Override
  public void close() {
    closing = true;
    try {
      client.close();
    } catch (IOException e) {
      // closing: nothing left to do with it
    }
  }
}
