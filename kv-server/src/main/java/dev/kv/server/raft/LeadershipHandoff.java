package dev.kv.server.raft;

import java.io.IOException;
import java.util.Comparator;
import java.util.Optional;
import org.apache.ratis.client.RaftClient;
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
 */
final class LeadershipHandoff {
  private static final Logger LOG = LoggerFactory.getLogger(LeadershipHandoff.class);

  private LeadershipHandoff() {}

  /** Returns the replica that took over, or empty when this node did not lead or it failed. */
  static Optional<RaftPeerId> handOff(
      RaftServer server, RaftGroupId groupId, RaftClient client, long timeoutMs) {
    try {
      var division = server.getDivision(groupId);
      if (!division.getInfo().isLeader()) {
        return Optional.empty();
      }
      RaftPeerId self = server.getId();
      Optional<RaftPeerId> target =
          division.getRaftConf().getCurrentPeers().stream()
              .map(RaftPeer::getId)
              .filter(id -> !id.equals(self))
              .min(Comparator.comparing(RaftPeerId::toString));
      if (target.isEmpty()) {
        return Optional.empty();
      }
      RaftClientReply reply =
          client.admin().transferLeadership(target.get(), self, timeoutMs);
      LOG.info("{}: handed leadership to {}: {}", groupId, target.get(),
          reply.isSuccess() ? "done" : reply.getException());
      return reply.isSuccess() ? target : Optional.empty();
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: could not hand off leadership before stopping: {}", groupId, e.toString());
      return Optional.empty();
    }
  }
}
