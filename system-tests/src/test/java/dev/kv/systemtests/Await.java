package dev.kv.systemtests;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded waiting for a condition: repeats an attempt until its result is accepted or a deadline
 * passes. The pause between attempts only paces the polling; it never stands in for the condition.
 */
final class Await {
  private static final Duration PAUSE = Duration.ofMillis(500);

  private Await() {}

  /**
   * Returns the first result of {@code attempt} that {@code accepted} holds for.
   *
   * @throws AssertionError naming {@code what} and showing the last result when {@code timeout}
   *     passes first
   */
  static <T> T until(
      String what, Duration timeout, Supplier<T> attempt, Predicate<? super T> accepted) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int attempts = 0;
    while (true) {
      T result = attempt.get();
      attempts++;
      if (accepted.test(result)) {
        return result;
      }
      if (System.nanoTime() - deadline >= 0) {
        String last = result instanceof ProcessResult p ? p.describe() : String.valueOf(result);
        throw new AssertionError(
            "timed out after "
                + timeout.toSeconds()
                + " s ("
                + attempts
                + " attempts) waiting for "
                + what
                + "; last attempt:\n"
                + last);
      }
      try {
        Thread.sleep(PAUSE.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
  }
}
