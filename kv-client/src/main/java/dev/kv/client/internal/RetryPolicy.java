package dev.kv.client.internal;

import io.grpc.Status;
import java.time.Duration;
import java.util.Set;

/**
 * Which failures are worth another attempt, and how long to pause before it. Pure: the caller
 * supplies the randomness, so the schedule is testable.
 */
public record RetryPolicy(Duration initialBackoff, Duration maxBackoff) {

  /**
   * UNAVAILABLE: no leader, no quorum, or no connection. DEADLINE_EXCEEDED: this attempt timed out
   * (for a write, safe only because the retry carries the same write id). ABORTED: the routing
   * changed under the request. Everything else will fail the same way again.
   */
  private static final Set<Status.Code> RETRYABLE =
      Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.ABORTED);

  public boolean isRetryable(Status.Code code) {
    return RETRYABLE.contains(code);
  }

  /**
   * The pause before retry number {@code retry} (1 for the first retry): exponential growth capped
   * at the maximum, scaled into [0.5, 1] of that by {@code random} in [0, 1) so that clients that
   * failed together do not retry together.
   */
  public long backoffNanos(int retry, double random) {
    long initial = initialBackoff.toNanos();
    long max = maxBackoff.toNanos();
    // Shifting past 30 would only overflow; the cap is reached long before for sane settings.
    int doublings = Math.min(Math.max(retry - 1, 0), 30);
    long exponential = initial > (max >> doublings) ? max : initial << doublings;
    long capped = Math.min(exponential, max);
    return (long) (capped * (0.5 + 0.5 * random));
  }
}
