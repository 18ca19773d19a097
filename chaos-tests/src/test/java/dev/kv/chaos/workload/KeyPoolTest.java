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
    KeyPool pool = new KeyPool("t", 3, 5, KeySpread.NONE);
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
    assertThatThrownBy(() -> new KeyPool("t", 0, 5, KeySpread.NONE)).hasMessageContaining("activeKeys is 0");
  }

  @Test
  void freshKeysGoToTheGroupsInTurn() {
    java.util.List<String> groups = java.util.List.of("g0", "g1", "g2");
    KeySpread byHash = new KeySpread(groups, key -> "g" + Math.floorMod(key.hashCode(), 3));
    KeyPool pool = new KeyPool("t", 4, 1, byHash);
    Random random = new Random(2);
    for (int i = 0; i < 20; i++) {
      pool.take(random);
    }
    assertThat(pool.used()).hasSize(24);
    for (int i = 0; i < pool.used().size(); i++) {
      assertThat(byHash.groupOf().apply(pool.used().get(i))).isEqualTo(groups.get(i % 3));
    }
    assertThat(pool.used()).anyMatch(k -> k.contains(".")); // some names needed another try
  }

  @Test
  void aGroupNoKeyLandsInIsAnError() {
    KeySpread impossible = new KeySpread(java.util.List.of("a", "b"), key -> "a");
    assertThatThrownBy(() -> new KeyPool("t", 2, 1, impossible))
        .hasMessageContaining("no key for group b");
  }
}
