package dev.kv.chaos.check;

import java.util.Optional;

/** What one {@link LinearizationSearch} found. */
record SearchResult(
    Verdict verdict, long steps, Optional<Violation> violation, Optional<String> unknownReason) {

  static SearchResult linearizable(long steps) {
    return new SearchResult(Verdict.LINEARIZABLE, steps, Optional.empty(), Optional.empty());
  }

  static SearchResult violation(long steps, Violation violation) {
    return new SearchResult(
        Verdict.NOT_LINEARIZABLE, steps, Optional.of(violation), Optional.empty());
  }

  static SearchResult unknown(long steps, String reason) {
    return new SearchResult(Verdict.UNKNOWN, steps, Optional.empty(), Optional.of(reason));
  }
}
