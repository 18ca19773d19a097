package dev.kv.chaos.workload;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a workload spreads its keys over the cluster's groups: fresh keys are made for the groups in
 * turn, so every group gets its share of keys whatever the hash does with a handful of names.
 *
 * @param groups the groups to cover, in turn; empty to take names as they come
 * @param groupOf the group that owns a key (by the cluster's placement map)
 */
public record KeySpread(List<String> groups, Function<String, String> groupOf) {
  /** No spreading: the n-th fresh key is just {@code prefix-kn}. */
  public static final KeySpread NONE = new KeySpread(List.of(), key -> "");

  /** Tries per key before giving up: with g groups a name lands in the wanted one 1 time in g. */
  private static final int MAX_TRIES = 10_000;

  public KeySpread {
    groups = List.copyOf(groups);
    Objects.requireNonNull(groupOf, "groupOf");
  }

  /** The {@code n}-th fresh key: {@code prefix-kn}, or {@code prefix-kn.t} for the t-th retry. */
  String key(String prefix, int n) {
    if (groups.isEmpty()) {
      return prefix + "-k" + n;
    }
    String wanted = groups.get(n % groups.size());
    for (int t = 0; t < MAX_TRIES; t++) {
      String key = prefix + "-k" + n + (t == 0 ? "" : "." + t);
      if (groupOf.apply(key).equals(wanted)) {
        return key;
      }
    }
    throw new IllegalStateException("no key for group " + wanted + " in " + MAX_TRIES
        + " tries: does the map give it a range?");
  }
}
