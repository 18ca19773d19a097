package dev.kv.chaos.check;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The verdict for a whole history: one {@link KeyResult} per key, in key order.
 *
 * @param keys the result of every key
 * @param elapsed how long the whole check ran
 */
public record CheckResult(List<KeyResult> keys, Duration elapsed) {
  public CheckResult {
    keys = List.copyOf(keys);
  }

  /** NOT_LINEARIZABLE if any key is, else UNKNOWN if any key is, else LINEARIZABLE. */
  public Verdict verdict() {
    return Verdict.combine(keys.stream().map(KeyResult::verdict).toList());
  }

  /** The keys with the given verdict. */
  public List<KeyResult> keysWith(Verdict verdict) {
    return keys.stream().filter(k -> k.verdict() == verdict).toList();
  }

  /** The verdict and every key that is not linearizable or unknown, one per line. */
  public String describe() {
    String problems =
        keys.stream()
            .filter(k -> k.verdict() != Verdict.LINEARIZABLE)
            .map(k -> "\n  " + k.describe())
            .collect(Collectors.joining());
    return verdict() + " (" + keys.size() + " keys, " + elapsed.toMillis() + " ms)" + problems;
  }
}
