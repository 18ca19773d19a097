package dev.kv.server.raft;

import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a node stops, hands the leadership of each group it leads to another replica, so clients
 * see a short pause instead of waiting out an election timeout.
 *
 * <p>The new leader is the voter that answered this leader most recently, and only one that
 * answered within {@code liveWithin}: a transfer to a replica that is down (a rolling restart
 * stops one node after another) would only wait out its timeout.
 */
final class LeadershipHandoff {
  private static final Logger LOG = LoggerFactory.getLogger(LeadershipHandoff.class);

  private LeadershipHandoff() {}

  /** Returns the replica that took over, or empty when this node did not lead or it failed. */
  static Optional<RaftPeerId> handOff(
      RaftServer server, RaftGroupId groupId, RaftClient client, long timeoutMs,
      Duration liveWithin) {
    try {
      var division = server.getDivision(groupId);
      if (!division.getInfo().isLeader()) {
        return Optional.empty();
      }
      Optional<RaftPeerId> target = liveVoter(division.getInfo().getRoleInfoProto(),
          division.getRaftConf().getCurrentPeers().stream().map(RaftPeer::getId)
              .collect(Collectors.toSet()), liveWithin);
      if (target.isEmpty()) {
        LOG.info("{}: no other voter answered within {} ms; leaving the group to elect a leader",
            groupId, liveWithin.toMillis());
        return Optional.empty();
      }
      RaftClientReply reply =
          client.admin().transferLeadership(target.get(), server.getId(), timeoutMs);
      LOG.info("{}: handed leadership to {}: {}", groupId, target.get(),
          reply.isSuccess() ? "done" : reply.getException());
      return reply.isSuccess() ? target : Optional.empty();
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: could not hand off leadership before stopping: {}", groupId, e.toString());
      return Optional.empty();
    }
  }

  /**
   * Of a leader's followers (its role info), the voter that answered most recently, if it did so
   * within {@code liveWithin}; listeners and replicas outside {@code voters} never lead.
   */
  static Optional<RaftPeerId> liveVoter(
      RoleInfoProto leaderRole, Set<RaftPeerId> voters, Duration liveWithin) {
    return leaderRole.getLeaderInfo().getFollowerInfoList().stream()
        .filter(f -> f.getLastRpcElapsedTimeMs() <= liveWithin.toMillis())
        .filter(f -> voters.contains(RaftPeerId.valueOf(f.getId().getId())))
        .min(Comparator.comparingLong(ServerRpcProto::getLastRpcElapsedTimeMs))
        .map(f -> RaftPeerId.valueOf(f.getId().getId()));
  }
}
