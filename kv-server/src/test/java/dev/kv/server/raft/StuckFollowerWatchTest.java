package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StuckFollowerWatchTest {
  private static final long SECOND = 1_000_000_000L;

  private final StuckFollowerWatch watch =
      new StuckFollowerWatch(Duration.ofSeconds(30), Duration.ofSeconds(5));

  private static StuckFollowerWatch.Sample sample(long term, long leaderCommit, long n2, long n3,
      long n3ReplyAgoMillis) {
    return new StuckFollowerWatch.Sample(term, leaderCommit, Map.of("n2", n2, "n3", n3),
        Map.of("n2", 100L, "n3", n3ReplyAgoMillis));
  }

  @Test
  void aFollowerThatAnswersButStaysBehindWhileTheGroupCommitsIsStuck() {
    assertThat(watch.observe(0, sample(5, 100, 100, 90, 100))).isEmpty();
    assertThat(watch.observe(20 * SECOND, sample(5, 150, 150, 90, 100))).isEmpty();
    assertThat(watch.observe(31 * SECOND, sample(5, 200, 200, 90, 100)))
        .hasValueSatisfying(why -> assertThat(why).startsWith("n3 answers the leader")
            .contains("stayed at 90 for 31 s", "committed up to 200"));
  }

  @Test
  void aGroupCommittingAgainAfterIdlingIsNotStuckUntilAFollowerHasBeenBehindForTheStall() {
    watch.observe(0, sample(5, 100, 100, 100, 100));
    assertThat(watch.observe(60 * SECOND, sample(5, 100, 100, 100, 100))).isEmpty();
    // The group's first entry in a minute; the leader has not yet heard n3 learn of it.
    assertThat(watch.observe(65 * SECOND, sample(5, 101, 101, 100, 100))).isEmpty();
    assertThat(watch.observe(70 * SECOND, sample(5, 102, 102, 101, 100))).isEmpty();
    // From here on n3 stays at 101 while the group commits on.
    assertThat(watch.observe(95 * SECOND, sample(5, 150, 150, 101, 100))).isEmpty();
    assertThat(watch.observe(101 * SECOND, sample(5, 200, 200, 101, 100)))
        .hasValueSatisfying(why -> assertThat(why).contains("stayed at 101 for 31 s"));
  }

  @Test
  void aFollowerThatDoesNotAnswerIsNotStuckButDownOrCutOff() {
    watch.observe(0, sample(5, 100, 100, 90, 100));
    assertThat(watch.observe(31 * SECOND, sample(5, 200, 200, 90, 31_000))).isEmpty();
  }

  @Test
  void aFollowerCatchingUpOrAnIdleGroupIsNotStuck() {
    watch.observe(0, sample(5, 100, 100, 90, 100));
    assertThat(watch.observe(31 * SECOND, sample(5, 200, 200, 95, 100))).isEmpty();
    // Idle group: nothing committed since, so nothing to fall behind on.
    StuckFollowerWatch idle = new StuckFollowerWatch(Duration.ofSeconds(30), Duration.ofSeconds(5));
    idle.observe(0, sample(5, 100, 100, 100, 100));
    assertThat(idle.observe(60 * SECOND, sample(5, 100, 100, 100, 100))).isEmpty();
  }

  @Test
  void aNewTermStartsTheWatchOver() {
    watch.observe(0, sample(5, 100, 100, 90, 100));
    assertThat(watch.observe(31 * SECOND, sample(6, 200, 200, 90, 100))).isEmpty();
    assertThat(watch.observe(50 * SECOND, sample(6, 300, 300, 90, 100))).isEmpty();
    assertThat(watch.observe(62 * SECOND, sample(6, 400, 400, 90, 100))).isPresent();
  }
}
