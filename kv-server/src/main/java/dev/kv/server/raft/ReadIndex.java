package dev.kv.server.raft;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * Raft's ReadIndex (Ongaro's thesis, section 6.4), done by kvd instead of Ratis, whose 3.3.0
 * ReadIndex may skip the round that confirms leadership (docs/RATIS-WORKAROUNDS.md).
 *
 * <p>Called after the reads it serves arrived, the leader notes its term T and commit index C and
 * asks every voter of its configuration for its current term ({@link RaftTermService}, on the Raft
 * port). Once a majority answers T (see TermQuorum), a replica that has applied C may serve the
 * reads:
 *
 * <ul>
 *   <li>Electing a leader of a newer term first raises the term of a majority of voters, and a
 *       voter's term never falls. That majority and the one that answered share a voter, so no
 *       newer leader had been elected when the answers were given, after the reads arrived.
 *   <li>So every write acknowledged before the reads arrived was committed by this leader or an
 *       earlier one. This leader is ready (it has committed an entry of its own term), so its
 *       commit index C covers all of them.
 * </ul>
 *
 * <p>That costs one round trip to the nearest majority and no disk write. When leadership cannot
 * be confirmed (not the ready leader, too few voters answer in time, a newer term), the result
 * fails and the caller proves the same by committing a barrier entry instead.
 */
final class ReadIndex {
  private final PeerTerms peers;

  ReadIndex(PeerTerms peers) {
    this.peers = peers;
  }

  /** The index to serve at, once a majority confirmed {@code replica}'s leadership. */
  CompletableFuture<Long> confirm(RaftServer.Division replica) {
    DivisionInfo info = replica.getInfo();
    long term = info.getCurrentTerm();
    if (!info.isLeaderReady()) {
      return notConfirmed("this replica is not the group's ready leader");
    }
    long commitIndex = replica.getRaftLog().getLastCommittedIndex();
    RaftConfiguration conf = replica.getRaftConf();
    if (!info.isLeader() || info.getCurrentTerm() != term) {
      return notConfirmed("this replica's leadership changed");
    }
    TermQuorum quorum =
        new TermQuorum(term, ids(conf.getCurrentPeers()), ids(conf.getPreviousPeers()));
    RaftPeerId self = replica.getId();
    quorum.confirm(self);
    // A voter of both configurations is asked at its address in the current one.
    Map<RaftPeerId, RaftPeer> others = new LinkedHashMap<>();
    conf.getPreviousPeers().forEach(p -> others.put(p.getId(), p));
    conf.getCurrentPeers().forEach(p -> others.put(p.getId(), p));
    others.remove(self);
    for (RaftPeer voter : others.values()) {
      peers.termOf(voter, replica.getGroup().getGroupId())
          .whenComplete((answer, failure) -> {
            if (failure == null) {
              quorum.answered(voter.getId(), answer);
            } else {
              quorum.unconfirmed(voter.getId());
            }
          });
    }
    return quorum.reached().thenApply(confirmed -> {
      if (!confirmed) {
        throw new NotConfirmedException("a majority of voters did not confirm term " + term);
      }
      return commitIndex;
    });
  }

  private static Set<RaftPeerId> ids(java.util.Collection<RaftPeer> peers) {
    return peers.stream().map(RaftPeer::getId).collect(Collectors.toSet());
  }

  private static CompletableFuture<Long> notConfirmed(String why) {
    return CompletableFuture.failedFuture(new NotConfirmedException(why));
  }

  /** Leadership was not confirmed: the caller falls back on a barrier entry. */
  static final class NotConfirmedException extends RuntimeException {
    NotConfirmedException(String message) {
      super(message, null, false, false);
    }
  }
}
