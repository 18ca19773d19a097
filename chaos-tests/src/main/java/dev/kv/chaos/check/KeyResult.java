package dev.kv.chaos.check;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The verdict for one key.
 *
 * @param key the key
 * @param verdict linearizable, not, or unknown
 * @param operations how many of the key's operations the search considered (FAILED operations and
 *     INDETERMINATE reads are left out: they cannot affect any other operation)
 * @param searchSteps how many steps the search took, a measure of how hard the key was
 * @param elapsed how long the key's search ran
 * @param violation present exactly when the verdict is NOT_LINEARIZABLE
 * @param unknownReason present exactly when the verdict is UNKNOWN: which limit was hit
 */
public record KeyResult(
    String key,
    Verdict verdict,
    int operations,
    long searchSteps,
    Duration elapsed,
    Optional<Violation> violation,
    Optional<String> unknownReason) {

  public KeyResult {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(elapsed, "elapsed");
    if (violation.isPresent() != (verdict == Verdict.NOT_LINEARIZABLE)) {
      throw new IllegalArgumentException("a violation comes with NOT_LINEARIZABLE, and only then");
    }
    if (unknownReason.isPresent() != (verdict == Verdict.UNKNOWN)) {
      throw new IllegalArgumentException("a reason comes with UNKNOWN, and only then");
    }
  }

  /** One line for a log or a test failure; a long prefix is shortened to its end. */
  public String describe() {
    String head = key + ": " + verdict + " (" + operations + " ops, " + searchSteps + " steps)";
    if (violation.isPresent()) {
      Violation v = violation.get();
      return head
          + ": after "
          + tail(v.longestLinearization())
          + " the state is "
          + v.stateAfter()
          + ", and none of "
          + v.notLinearizable()
          + " fits it";
    }
    return unknownReason.map(reason -> head + ": " + reason).orElse(head);
  }

  private static String tail(List<Long> ids) {
    int shown = 10;
    if (ids.size() <= shown) {
      return ids.toString();
    }
    String last = ids.subList(ids.size() - shown, ids.size()).toString();
    return ids.size() + " ops [..., " + last.substring(1);
  }
}
