package dev.kv.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void unitsAndIso8601() {
    assertThat(Durations.parsePositive("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parsePositive(" 10S ")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parsePositive("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parsePositive("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parsePositive("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parseNonNegative("0s")).isEqualTo(Duration.ZERO);
  }

  @Test
  void badTextNamesTheAcceptedForms() {
    assertThatThrownBy(() -> Durations.parsePositive("0s"))
        .hasMessage("'0s' is not a positive duration; use e.g. 500ms, 10s, 2m or 1h");
    assertThatThrownBy(() -> Durations.parsePositive("10"))
        .hasMessageContaining("'10' is not a positive duration");
    assertThatThrownBy(() -> Durations.parseNonNegative("-PT1S")).hasMessageContaining("is not a duration");
    assertThatThrownBy(() -> Durations.parseNonNegative("99999999999999999999s"))
        .hasMessageContaining("is not a duration; use e.g. 0s");
  }
}
