package dev.kv.server.config;

import java.time.Duration;

/**
 * Raft timing. Defaults suit a loaded 2-core machine: Ratis' own 150-300 ms election timeout
 * causes needless elections under GC pauses and CPU contention.
 *
 * @param electionTimeoutMin lower bound of the randomized election timeout (>= 1 s by default)
 * @param electionTimeoutMax upper bound of the randomized election timeout
 * @param requestTimeout how long a node waits for one Raft request (forwarding, ReadIndex) before
 *     its internal client retries
 */
public record RaftTiming(
    Duration electionTimeoutMin, Duration electionTimeoutMax, Duration requestTimeout) {
  public static final RaftTiming DEFAULTS =
      new RaftTiming(Duration.ofMillis(1000), Duration.ofMillis(2000), Duration.ofSeconds(3));

  public RaftTiming {
    if (electionTimeoutMin.toMillis() < 100) {
      throw new IllegalArgumentException(
          "election timeout min is " + electionTimeoutMin.toMillis() + " ms; it must be >= 100 ms");
    }
    if (electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
      throw new IllegalArgumentException(
          "election timeout max (" + electionTimeoutMax.toMillis() + " ms) must exceed min ("
              + electionTimeoutMin.toMillis() + " ms)");
    }
    if (requestTimeout.compareTo(electionTimeoutMin) < 0) {
      throw new IllegalArgumentException(
          "raft request timeout (" + requestTimeout.toMillis() + " ms) must be >= the election"
              + " timeout min (" + electionTimeoutMin.toMillis() + " ms)");
    }
  }
}
