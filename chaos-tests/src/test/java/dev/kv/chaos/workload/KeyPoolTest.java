package dev.kv.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyPoolTest {

  @Test
  void noKeyIsHandedOutMoreThanItsBudget() {
    KeyPool pool = new KeyPool("t", 3, 5);
    Map<String, Integer> counts = new HashMap<>();
    Random random = new Random(1);
    for (int i = 0; i < 1000; i++) {
      counts.merge(pool.take(random), 1, Integer::sum);
    }
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(5));
    assertThat(pool.used()).containsAll(counts.keySet());
    assertThat(pool.used()).hasSizeGreaterThanOrEqualTo(1000 / 5);
  }

  @Test
  void rejectsEmptyBudgets() {
    assertThatThrownBy(() -> new KeyPool("t", 0, 5)).hasMessageContaining("activeKeys is 0");
  }
}
