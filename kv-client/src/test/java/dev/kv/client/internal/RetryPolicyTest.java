package dev.kv.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.api.testing.SeededRuns;

import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(Duration.ofMillis(20), Duration.ofSeconds(1));

  @Test
  void backoffDoublesFromTheInitialPauseUpToTheCap() {
    assertThat(millis(1, 0.999999)).isEqualTo(19);
    assertThat(millis(2, 0.999999)).isEqualTo(39);
    assertThat(millis(3, 0.999999)).isEqualTo(79);
    assertThat(millis(7, 0.999999)).isEqualTo(999);
    assertThat(millis(1_000, 0.999999)).isEqualTo(999);
  }

  @Test
  void jitterScalesDownToHalf() {
    assertThat(millis(1, 0)).isEqualTo(10);
    assertThat(millis(50, 0)).isEqualTo(500);
  }

  @Test
  void backoffStaysWithinHalfToAllOfTheCappedExponential() {
    SeededRuns.run("RetryPolicyTest", 1000, r -> {
      int retry = 1 + r.nextInt(10_000);
      double random = r.nextDouble();
      long initial = Duration.ofMillis(20).toNanos();
      long max = Duration.ofSeconds(1).toNanos();
      double exponential = Math.min(max, initial * Math.pow(2, Math.min(retry - 1, 40)));

      long backoff = policy.backoffNanos(retry, random);

      assertThat((double) backoff).isBetween(exponential / 2 - 1, exponential);
    });
  }

  @Test
  void retriesOnlyWhatAnotherAttemptCanFix() {
    assertThat(policy.isRetryable(Status.Code.UNAVAILABLE)).isTrue();
    assertThat(policy.isRetryable(Status.Code.DEADLINE_EXCEEDED)).isTrue();
    assertThat(policy.isRetryable(Status.Code.ABORTED)).isTrue();
    assertThat(policy.isRetryable(Status.Code.INVALID_ARGUMENT)).isFalse();
    assertThat(policy.isRetryable(Status.Code.FAILED_PRECONDITION)).isFalse();
    assertThat(policy.isRetryable(Status.Code.RESOURCE_EXHAUSTED)).isFalse();
    assertThat(policy.isRetryable(Status.Code.CANCELLED)).isFalse();
    assertThat(policy.isRetryable(Status.Code.UNKNOWN)).isFalse();
    assertThat(policy.isRetryable(Status.Code.INTERNAL)).isFalse();
  }

  private long millis(int retry, double random) {
    return Duration.ofNanos(policy.backoffNanos(retry, random)).toMillis();
  }
}
