package dev.kv.statemachine.apply;

import java.time.Duration;

/**
 * Settings of the apply logic. They must be equal on every replica of a group (they change what
 * apply writes), so they come from the cluster's settings, never from one node's flags.
 *
 * @param sessionExpiry a client's idempotency record is dropped after this long without a write
 * @param maxResultsPerSession at most this many remembered results per client; when a client
 *     keeps more writes unacknowledged, the oldest results are forgotten first
 */
public record ApplyConfig(Duration sessionExpiry, int maxResultsPerSession) {
  public static final ApplyConfig DEFAULTS = new ApplyConfig(Duration.ofMinutes(10), 4096);

  public ApplyConfig {
    if (sessionExpiry.isNegative() || sessionExpiry.isZero()) {
      throw new IllegalArgumentException("sessionExpiry is " + sessionExpiry + "; it must be > 0");
    }
    if (maxResultsPerSession < 1) {
      throw new IllegalArgumentException(
          "maxResultsPerSession is " + maxResultsPerSession + "; it must be >= 1");
    }
  }

  /** Sessions are swept for expiry at most this often (in logical time). */
  long sweepIntervalMillis() {
    return Math.max(1, sessionExpiry.toMillis() / 10);
  }
}
