package dev.kv.chaos.check;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of one check. The search is exponential in the worst case (many concurrent operations
 * whose outcome is unknown), so every check is bounded; a key that hits a limit is UNKNOWN.
 *
 * @param perKeyTimeout how long the search of one key may run
 * @param totalTimeout how long the whole check may run; a key not finished (or not started) by then
 *     is UNKNOWN
 * @param maxCachedStates how many search configurations one key's search may remember (each is a
 *     bitset of the key's operations plus a state: some 100-200 bytes for a few hundred
 *     operations), so a hard key ends as UNKNOWN instead of exhausting the heap
 */
public record CheckOptions(Duration perKeyTimeout, Duration totalTimeout, int maxCachedStates) {
  // Far beyond any useful check, and small enough that deadlines never overflow a long of nanos.
  private static final Duration LONGEST_TIMEOUT = Duration.ofDays(1);

  /** A check as a chaos run's verification step would do it. */
  public static final CheckOptions DEFAULTS =
      new CheckOptions(Duration.ofSeconds(20), Duration.ofMinutes(2), 2_000_000);

  public CheckOptions {
    requireTimeout("perKeyTimeout", perKeyTimeout);
    requireTimeout("totalTimeout", totalTimeout);
    if (maxCachedStates < 1) {
      throw new IllegalArgumentException(
          "maxCachedStates is " + maxCachedStates + "; it must be >= 1");
    }
  }

  /** These options with other timeouts. */
  public CheckOptions withTimeouts(Duration perKey, Duration total) {
    return new CheckOptions(perKey, total, maxCachedStates);
  }

  private static void requireTimeout(String name, Duration timeout) {
    Objects.requireNonNull(timeout, name);
    if (timeout.isNegative() || timeout.compareTo(LONGEST_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          name + " is " + timeout + "; it must be between 0 and " + LONGEST_TIMEOUT);
    }
  }
}
