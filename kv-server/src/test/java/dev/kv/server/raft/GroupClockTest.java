package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The stamp a node proposes with follows the group's clock and its own monotonic clock only. */
class GroupClockTest {
  private final AtomicLong nanos = new AtomicLong(-42_000_000_000L);
  private final GroupClock clock = new GroupClock(nanos::get);

  private void elapse(long millis) {
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Test
  void beforeAnyResultItCountsFromZero() {
    assertThat(clock.millis()).isZero();
    elapse(1_500);
    assertThat(clock.millis()).isEqualTo(1_500);
  }

  @Test
  void itCarriesTheLargestObservedGroupClockForwardAtTheMonotonicPace() {
    clock.observe(1_000_000);
    assertThat(clock.millis()).isEqualTo(1_000_000);

    elapse(2_000);
    assertThat(clock.millis()).isEqualTo(1_002_000);

    clock.observe(1_001_000); // older than what this node already knows
    assertThat(clock.millis()).isEqualTo(1_002_000);

    // Another node's stamps moved the group on further: follow it from now.
    clock.observe(1_010_000);
    elapse(10);
    assertThat(clock.millis()).isEqualTo(1_010_010);
  }
}
