package dev.kv.server.raft;

import dev.kv.server.config.NodeConfig;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Administrative Raft operations on any group from any node: the only way a replica is created
 * or removed (Ratis group management on the target node), membership changes and leadership
 * transfer. Blocking; callers run them off request threads.
 */
public final class RaftAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(RaftAdmin.class);

  private final NodeConfig config;
  private final RatisWorkarounds workarounds;

  RaftAdmin(NodeConfig config, RatisWorkarounds workarounds) {
    this.config = config;
    this.workarounds = workarounds;
  }

  /** A Ratis client for administrative calls: few retries, since the controller retries too. */
  static RaftClient client(NodeConfig config, RaftGroup group) {
    return client(config, group, ADMIN_RETRIES);
  }

  /** Few retries: the placement controller retries in its next round anyway. */
  private static final RetryPolicy ADMIN_RETRIES =
      RetryPolicies.retryUpToMaximumCountWithFixedSleep(
          5, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS));

  /** A Ratis client of {@code group} with this node's client settings. */
  public static RaftClient client(NodeConfig config, RaftGroup group, RetryPolicy retryPolicy) {
    return builder(config, group, retryPolicy).build();
  }

  /** An administrative client that contacts {@code first} before any other member. */
  private static RaftClient client(NodeConfig config, RaftGroup group, RaftPeerId first) {
    return builder(config, group, ADMIN_RETRIES).setLeaderId(first).build();
  }

  private static RaftClient.Builder builder(
      NodeConfig config, RaftGroup group, RetryPolicy retryPolicy) {
    return RaftClient.newBuilder()
        .setClientId(ClientId.randomId())
        .setRaftGroup(group)
        .setProperties(RaftPropertiesMapper.clientProperties(config))
        .setRetryPolicy(retryPolicy);
  }

  /**
   * Creates a replica of {@code group} on {@code target}, starting with the membership {@code
   * group} lists. Returns false when the target already hosts it (creation is idempotent).
   */
  public boolean createReplica(RaftPeer target, RaftGroup group) throws IOException {
    try (RaftClient c = client(config, RaftGroup.valueOf(group.getGroupId(), target))) {
      RaftClientReply reply = c.getGroupManagementApi(target.getId()).add(group);
      if (reply.isSuccess()) {
        return true;
      }
      throw new IOException("creating " + group.getGroupId() + " on " + target.getId() + " failed",
          reply.getException());
    } catch (AlreadyExistsException e) {
      return false;
    }
  }

  /** Removes the replica of {@code group} from {@code target} and deletes its data. */
  public void removeReplica(RaftPeer target, RaftGroupId group) throws IOException {
    try (RaftClient c = client(config, RaftGroup.valueOf(group, target))) {
      RaftClientReply reply = c.getGroupManagementApi(target.getId()).remove(group, true, false);
      if (!reply.isSuccess() && !(reply.getException() instanceof GroupMismatchException)) {
        throw new IOException("removing " + group + " from " + target.getId() + " failed",
            reply.getException());
      }
    } catch (GroupMismatchException e) {
      // already gone
    }
  }

  /** Changes the group's membership (joint consensus) to these voters and listeners. */
  public void setMembers(RaftGroup current, List<RaftPeer> voters, List<RaftPeer> listeners)
      throws IOException {
    RaftClientReply reply =
        throughAnyMember(current, c -> c.admin().setConfiguration(
            SetConfigurationRequest.Arguments.newBuilder()
                .setServersInNewConf(voters)
                .setListenersInNewConf(listeners)
                .build()));
    if (!reply.isSuccess()) {
      throw new IOException("membership change of " + current.getGroupId() + " failed",
          reply.getException());
    }
  }

  /**
   * Moves the group's leadership to {@code target}.
   *
   * <p>Works around a Ratis 3.3.0 bug: a transfer that fails at once (the StartLeaderElection
   * call to the target already failed, typically because the target just went down, or the
   * leader has no log appender for it) answers the caller but leaves the transfer pending, and a
   * leader with a pending transfer refuses every write and membership change ("is stepping
   * down") until some leader is elected, which with a healthy leader never happens. So after such
   * a failure the leader is asked to step down; the election that follows clears it.
   */
  public void transferLeadership(RaftGroup group, RaftPeerId target, long timeoutMs)
      throws IOException {
    RaftClientReply reply = throughAnyMember(group, c -> {
      try {
        return c.admin().transferLeadership(target, timeoutMs);
      } catch (TransferLeadershipException e) {
        if (leavesLeaderSteppingDown(e)) {
          workarounds.failedTransferStepDowns().inc();
          stepDown(c, group.getGroupId(), e, timeoutMs);
        }
        throw e;
      }
    });
    if (!reply.isSuccess()) {
      throw new IOException("leadership transfer of " + group.getGroupId() + " to " + target
          + " failed", reply.getException());
    }
  }

  /** Asks the leader {@code client} last talked to to step down; failures join {@code cause}. */
  private static void stepDown(
      RaftClient client, RaftGroupId group, TransferLeadershipException cause, long timeoutMs) {
    LOG.warn("{}: leadership transfer failed in a way that leaves leader {} refusing writes"
        + " (Ratis 3.3.0); asking it to step down: {}", group, client.getLeaderId(),
        cause.getMessage());
    try {
      RaftClientReply reply = client.admin().transferLeadership(null, timeoutMs);
      if (!reply.isSuccess()) {
        cause.addSuppressed(reply.getException());
      }
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * Whether a failed transfer left its leader "stepping down" (Ratis 3.3.0): the failures its
   * TransferLeadership reports without going through its own completion, which is what clears
   * the pending transfer, and a pending transfer found from an earlier call (possibly one still
   * in progress: stepping down then only hastens what that transfer asked for).
   */
  static boolean leavesLeaderSteppingDown(Exception e) {
    if (!(e instanceof TransferLeadershipException) || e.getMessage() == null) {
      return false;
    }
    String m = e.getMessage();
    return m.contains(": COMPLETED_EXCEPTIONALLY")
        || m.contains(": NULL_FOLLOWER")
        || m.contains(": NULL_LOG_APPENDER")
        || m.contains("a previous TransferLeadershipRequest");
  }

  /** A call through a Ratis client of a group. */
  private interface AdminCall {
    RaftClientReply call(RaftClient client) throws IOException;
  }

  /**
   * Makes {@code call} through a client that first contacts each member of {@code group} in turn,
   * until one hosts the group: the client follows a member's redirect to the leader, but gives up
   * on a member that has no replica at all (GroupMismatchException), which a member listed in
   * the configuration may be when it lost its replica or crashed before creating it.
   */
  private RaftClientReply throughAnyMember(RaftGroup group, AdminCall call) throws IOException {
    GroupMismatchException last = null;
    for (RaftPeer first : group.getPeers()) {
      try (RaftClient c = client(config, group, first.getId())) {
        return call.call(c);
      } catch (GroupMismatchException e) {
        last = e;
      }
    }
    throw last != null ? last : new IOException("group " + group.getGroupId() + " has no members");
  }
}
