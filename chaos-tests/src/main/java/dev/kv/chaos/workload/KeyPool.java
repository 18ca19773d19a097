package dev.kv.chaos.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The keys a workload uses: a fixed number active at a time, each retired after a bounded number
 * of operations and replaced by a fresh key, so no key's history outgrows what the checker can
 * search. Fresh keys go to the groups in turn ({@link KeySpread}). Thread-safe.
 */
final class KeyPool {
  private final String prefix;
  private final KeySpread spread;
  private final int opsPerKey;
  private final String[] active;
  private final int[] used;
  private final List<String> all = new ArrayList<>();
  private int nextKey;

  KeyPool(String prefix, int activeKeys, int opsPerKey, KeySpread spread) {
    if (activeKeys < 1 || opsPerKey < 1) {
      throw new IllegalArgumentException(
          "activeKeys is " + activeKeys + " and opsPerKey " + opsPerKey + "; both must be >= 1");
    }
    this.prefix = prefix;
    this.spread = spread;
    this.opsPerKey = opsPerKey;
    this.active = new String[activeKeys];
    this.used = new int[activeKeys];
    for (int i = 0; i < activeKeys; i++) {
      active[i] = fresh();
    }
  }

  /** A key for one more operation, chosen at random among the active ones. */
  synchronized String take(Random random) {
    int slot = random.nextInt(active.length);
    String key = active[slot];
    if (++used[slot] >= opsPerKey) {
      active[slot] = fresh();
      used[slot] = 0;
    }
    return key;
  }

  /** Every key handed out so far, in creation order. */
  synchronized List<String> used() {
    return List.copyOf(all);
  }

  private String fresh() {
    String key = spread.key(prefix, nextKey++);
    all.add(key);
    return key;
  }
}
