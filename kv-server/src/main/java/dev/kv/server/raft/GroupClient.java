package dev.kv.server.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kv.server.config.NodeConfig;
import dev.kv.statemachine.proto.EntryResult;
import dev.kv.statemachine.proto.LogEntry;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.JavaUtils;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits log entries, and reads of the leader's state, to one Raft group on behalf of this
 * node. Ratis' client finds the leader and follows redirects, which is how a node that is not the
 * leader forwards a request. Its retries are bounded; callers bound the total time as well.
 *
 * <p>Ratis' ordered async window fails every later write once one write fails for good (retries
 * exhausted): the client is then replaced by a fresh one, so one partition does not leave this
 * node unable to write after it heals.
 */
public final class GroupClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupClient.class);

  /** About 3 s of pauses: a leadership handover that takes longer has failed (see RaftAdmin). */
  private static final int STEPPING_DOWN_RETRIES = 30;

  private static final Executor STEPPING_DOWN_PAUSE =
      CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);

  private final NodeConfig config;
  private final RaftGroup group;
  private final RaftPeerId self;
  private final RaftServer localServer;
  private final AtomicReference<RaftClient> client = new AtomicReference<>();
  /** Identifies this node's direct submissions to its own server (Ratis' retry cache key). */
  private final ClientId localClientId = ClientId.randomId();
  private final AtomicLong localCallIds = new AtomicLong();

  public GroupClient(NodeConfig config, RaftGroup group, RaftServer localServer) {
    this.config = config;
    this.group = group;
    this.localServer = localServer;
    this.self = localServer.getId();
    this.client.set(newClient());
  }

  private RaftClient newClient() {
    return RaftAdmin.client(
        config,
        group,
        RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            20, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)));
  }

  /**
   * Appends the entry through the leader and returns its apply result. When this node leads the
   * group, the entry goes straight to the local server, skipping a loopback RPC; if leadership
   * moved meanwhile, or is being handed over, the server refuses it before appending, and it goes
   * through the client.
   */
  public CompletableFuture<EntryResult> write(LogEntry entry) {
    Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(entry.toByteArray()));
    Optional<RaftClientAsynchronousProtocol> local = localReplica();
    if (local.isEmpty() || !leadsGroupHere()) {
      return writeThroughClient(message);
    }
    CompletableFuture<RaftClientReply> submitted;
    try {
      submitted = local.get().submitClientRequestAsync(
          localRequest(message));
    } catch (IOException e) {
      return writeThroughClient(message);
    }
    return submitted.thenCompose(
        reply ->
            refusedBeforeAppend(reply)
                ? writeThroughClient(message)
                : CompletableFuture.completedFuture(parse(reply, EntryResult.parser())));
  }

  private RaftClientRequest localRequest(Message message) {
    return RaftClientRequest.newBuilder()
        .setClientId(localClientId)
        .setServerId(self)
        .setGroupId(group.getGroupId())
        .setCallId(localCallIds.incrementAndGet())
        .setMessage(message)
        .setType(RaftClientRequest.writeRequestType())
        .build();
  }

  /**
   * This node's replica of the group as the request handler Ratis' server dispatches to. Going
   * to it directly skips the server's hand-off of every request to a per-group executor thread
   * (whose caller blocks until that thread has submitted it). Empty when this node hosts no
   * replica.
   */
  private Optional<RaftClientAsynchronousProtocol> localReplica() {
    try {
      return localServer.getDivision(group.getGroupId()) instanceof RaftClientAsynchronousProtocol p
          ? Optional.of(p)
          : Optional.empty();
    } catch (IOException notHosted) {
      return Optional.empty();
    }
  }

  /**
   * Whether the local server refused the entry before appending it because it is not (or not
   * yet, or no longer) a leader that takes writes: then the entry goes through the client, which
   * waits and retries until a leader takes it. A leader hands leadership to another replica (the
   * balancer, a drain, a stopping node) in well under a second; a write arriving meanwhile would
   * otherwise fail with an unknown outcome although it was never appended.
   */
  private static boolean refusedBeforeAppend(RaftClientReply reply) {
    return reply.getNotLeaderException() != null
        || reply.getException() instanceof LeaderNotReadyException
        || reply.getException() instanceof LeaderSteppingDownException;
  }

  private boolean leadsGroupHere() {
    try {
      return localServer.getDivision(group.getGroupId()).getInfo().isLeaderReady();
    } catch (IOException e) {
      return false;
    }
  }

  private CompletableFuture<EntryResult> writeThroughClient(Message message) {
    return writeThroughClient(message, STEPPING_DOWN_RETRIES);
  }

  /**
   * Sends the entry through the Ratis client. A leader that is handing its leadership over
   * refuses writes before appending them (LeaderSteppingDownException), and the Ratis client
   * does not retry that; the handover takes well under a second, so the entry is sent again after
   * a pause, up to {@link #STEPPING_DOWN_RETRIES} times. Safe: the refused attempt was never
   * appended, and the writes carry write ids in any case.
   */
  private CompletableFuture<EntryResult> writeThroughClient(Message message, int retriesLeft) {
    RaftClient current = client.get();
    CompletableFuture<EntryResult> attempt =
        current
            .async()
            .send(message)
            .whenComplete(
                (reply, failure) -> {
                  if (failure != null) {
                    replaceIfPoisoned(current, failure);
                  }
                })
            .thenApply(reply -> parse(reply, EntryResult.parser()));
    return attempt.exceptionallyCompose(
        failure ->
            retriesLeft > 0 && isSteppingDown(failure)
                ? CompletableFuture.runAsync(() -> { }, STEPPING_DOWN_PAUSE)
                    .thenCompose(ignored -> writeThroughClient(message, retriesLeft - 1))
                : attempt);
  }

  static boolean isSteppingDown(Throwable failure) {
    return JavaUtils.isCausedBy(failure, LeaderSteppingDownException.class);
  }

  private void replaceIfPoisoned(RaftClient failed, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    boolean poisoned =
        cause instanceof RaftRetryFailureException || cause instanceof AlreadyClosedException;
    if (poisoned && client.get() == failed) {
      RaftClient fresh = newClient();
      if (client.compareAndSet(failed, fresh)) {
        LOG.info("replacing the Raft client of {} after {}", group.getGroupId(), cause.toString());
        closeQuietly(failed);
      } else {
        closeQuietly(fresh);
      }
    }
  }

  private static void closeQuietly(RaftClient c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing a replaced Raft client failed", e);
    }
  }

  /** A read of the leader's applied state without a quorum round (serializable). */
  public CompletableFuture<ReadResult> readAtLeaderWithoutQuorum(ReadRequest request) {
    return client
        .get()
        .async()
        .sendReadOnlyNonLinearizable(
            Message.valueOf(UnsafeByteOperations.unsafeWrap(request.toByteArray())))
        .thenApply(reply -> parse(reply, ReadResult.parser()));
  }

  /** The leader the Ratis client last talked to. */
  public Optional<RaftPeerId> leaderHint() {
    return Optional.ofNullable(client.get().getLeaderId());
  }


  private static <T> T parse(RaftClientReply reply, com.google.protobuf.Parser<T> parser) {
    if (!reply.isSuccess()) {
      throw new RaftFailure(reply.getException());
    }
    try {
      return parser.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("undecodable reply from the state machine", e);
    }
  }

  @Override
  public void close() throws IOException {
    client.get().close();
  }

  /** A reply that carried an exception instead of a result. */
  public static final class RaftFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RaftFailure(Throwable cause) {
      super(cause == null ? "request failed without a reason" : cause.toString(), cause);
    }
  }
}
