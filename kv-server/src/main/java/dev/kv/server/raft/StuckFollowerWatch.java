package dev.kv.server.raft;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, from what a leader sees of one group over time, whether a follower is stuck: it keeps
 * answering the leader, yet its commit index has stayed below the group's for {@code stall}
 * without moving. Pure: the caller samples and acts (the leader steps down).
 *
 * <p>Why: in Ratis 3.3.0 a follower that was paused or cut off while appends were in flight can
 * end up with its log below the match index the leader keeps for it. The leader then resends
 * from that match index + 1 forever, the follower answers INCONSISTENCY forever, and the replica
 * never catches up, leaving the group one failure from unavailability. A new leader starts with
 * fresh follower indices and repairs it. (Found by the chaos suite's replica check.)
 */
final class StuckFollowerWatch {
  /**
   * What the leader sees at one moment.
   *
   * @param term the leader's term (a new term starts the watch over)
   * @param leaderCommit the leader's commit index
   * @param followerCommit each follower's commit index as the leader last heard it
   * @param lastReplyMillisAgo how long ago each follower last answered the leader
   */
  record Sample(
      long term,
      long leaderCommit,
      Map<String, Long> followerCommit,
      Map<String, Long> lastReplyMillisAgo) {}

  /**
   * One follower's commit index as last seen, whether the group's commit index has been above it
   * at every sample since, and from when.
   */
  private record Since(long commit, boolean behind, long behindSinceNanos) {
    static Since at(long commit) {
      return new Since(commit, false, 0);
    }
  }

  private final long stallNanos;
  private final long answeringMillis;
  private final Map<String, Since> followers = new HashMap<>();
  private long term = -1;

  /**
   * @param stall how long a follower's commit index may stay put below the group's
   * @param answering a follower that answered within this is alive (a dead or cut-off one is not
   *     stuck in this sense: nothing a leader change would cure)
   */
  StuckFollowerWatch(Duration stall, Duration answering) {
    this.stallNanos = stall.toNanos();
    this.answeringMillis = answering.toMillis();
  }

  /** Takes a sample; returns why a follower is stuck, if one is. */
  Optional<String> observe(long nowNanos, Sample sample) {
    if (sample.term() != term) {
      term = sample.term();
      followers.clear();
    }
    followers.keySet().retainAll(sample.followerCommit().keySet());
    String stuck = null;
    for (Map.Entry<String, Long> f : sample.followerCommit().entrySet()) {
      long commit = f.getValue();
      Since since = followers.get(f.getKey());
      if (since == null || since.commit() != commit) {
        since = Since.at(commit);
      }
      // The stall counts from when the group first committed past the follower, not from when
      // the follower's index last moved: in a group idle for minutes, the first new entry would
      // otherwise find every follower "stalled" before it has heard of that entry.
      if (!since.behind() && sample.leaderCommit() > commit) {
        since = new Since(commit, true, nowNanos);
      }
      followers.put(f.getKey(), since);
      long replyAgo = sample.lastReplyMillisAgo().getOrDefault(f.getKey(), Long.MAX_VALUE);
      boolean stalled = since.behind() && nowNanos - since.behindSinceNanos() >= stallNanos;
      if (stalled && replyAgo <= answeringMillis && stuck == null) {
        stuck = f.getKey() + " answers the leader but its commit index stayed at " + commit
            + " for " + Duration.ofNanos(nowNanos - since.behindSinceNanos()).toSeconds()
            + " s behind the group's, which committed up to " + sample.leaderCommit();
      }
    }
    return Optional.ofNullable(stuck);
  }
}
