package dev.kv.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class KeyResultTest {

  @Test
  void longPrefixIsShortenedToItsEnd() {
    List<Long> prefix = LongStream.range(0, 25).boxed().toList();
    KeyResult result =
        new KeyResult(
            "k",
            Verdict.NOT_LINEARIZABLE,
            26,
            99,
            Duration.ZERO,
            Optional.of(new Violation(prefix, "absent (version 0)", List.of(25L))),
            Optional.empty());

    assertThat(result.describe())
        .isEqualTo(
            "k: NOT_LINEARIZABLE (26 ops, 99 steps): after 25 ops [..., 15, 16, 17, 18, 19, 20,"
                + " 21, 22, 23, 24] the state is absent (version 0), and none of [25] fits it");
  }

  @Test
  void violationAndReasonMatchTheVerdict() {
    assertThatThrownBy(
            () ->
                new KeyResult(
                    "k", Verdict.UNKNOWN, 1, 1, Duration.ZERO, Optional.empty(), Optional.empty()))
        .hasMessageContaining("reason");
    assertThatThrownBy(
            () ->
                new KeyResult(
                    "k",
                    Verdict.LINEARIZABLE,
                    1,
                    1,
                    Duration.ZERO,
                    Optional.of(new Violation(List.of(), "s", List.of(1L))),
                    Optional.empty()))
        .hasMessageContaining("violation");
  }
}
