package dev.kv.server.raft;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Counts the voters that confirmed a leader's term, until a majority of its configuration has, or
 * can no longer. A voter confirms by answering with the leader's term: it has not voted for a newer
 * leader, since a voter raises its term before it votes and a term never falls. An older term
 * would prove that too, but it is what a replica re-created with empty storage answers, and it
 * does not count: only a voter that heard from this leader does.
 * During a membership change Raft's configuration is joint: a majority of the old voters and one
 * of the new are both needed, as for any decision.
 */
final class TermQuorum {
  private final long leaderTerm;
  private final Set<RaftPeerId> current;
  private final Set<RaftPeerId> previous;
  private final Set<RaftPeerId> confirmed = new HashSet<>();
  private final Set<RaftPeerId> refused = new HashSet<>();
  private final CompletableFuture<Boolean> reached = new CompletableFuture<>();

  /**
   * @param leaderTerm the term the leader asks its voters to confirm
   * @param current the voters of the configuration
   * @param previous the voters of the configuration being replaced, empty outside a change
   */
  TermQuorum(long leaderTerm, Set<RaftPeerId> current, Set<RaftPeerId> previous) {
    this.leaderTerm = leaderTerm;
    if (current.isEmpty()) {
      throw new IllegalArgumentException("a configuration without voters");
    }
    this.current = Set.copyOf(current);
    this.previous = Set.copyOf(previous);
  }

  /** True once a majority confirmed; false once that can no longer happen. */
  CompletableFuture<Boolean> reached() {
    return reached;
  }

  /** The voter answered with its current term. */
  void answered(RaftPeerId voter, long term) {
    if (term == leaderTerm) {
      confirm(voter);
    } else {
      unconfirmed(voter);
    }
  }

  /** The voter confirms: the leader itself, or a voter at the leader's term. */
  void confirm(RaftPeerId voter) {
    boolean done;
    synchronized (this) {
      confirmed.add(voter);
      done = majority(current, confirmed) && (previous.isEmpty() || majority(previous, confirmed));
    }
    // Completed outside the lock: whatever waits on the result runs here.
    if (done) {
      reached.complete(true);
    }
  }

  /** The voter is at another term, or did not answer in time. */
  void unconfirmed(RaftPeerId voter) {
    boolean impossible;
    synchronized (this) {
      refused.add(voter);
      impossible = !stillPossible(current) || (!previous.isEmpty() && !stillPossible(previous));
    }
    if (impossible) {
      reached.complete(false);
    }
  }

  private boolean stillPossible(Set<RaftPeerId> voters) {
    long open = voters.stream().filter(v -> !refused.contains(v)).count();
    return open > voters.size() / 2;
  }

  private static boolean majority(Set<RaftPeerId> voters, Set<RaftPeerId> yes) {
    return voters.stream().filter(yes::contains).count() > voters.size() / 2;
  }
}
