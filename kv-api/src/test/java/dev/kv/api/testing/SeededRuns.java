package dev.kv.api.testing;

import java.util.Random;
import java.util.function.Consumer;

/**
 * Randomized tests that can be replayed: each run draws from one seed, printed with a replay
 * command when a run fails. The seed is {@code -Dkv.seed=N} when given, random otherwise.
 */
public final class SeededRuns {
  private SeededRuns() {}

  /** Runs {@code body} {@code runs} times, each with its own Random derived from one seed. */
  public static void run(String testId, int runs, Consumer<Random> body) {
    long seed = Long.getLong("kv.seed", new Random().nextLong());
    Random seeds = new Random(seed);
    for (int i = 0; i < runs; i++) {
      Random random = new Random(seeds.nextLong());
      try {
        body.accept(random);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "run " + (i + 1) + " of " + runs + " failed with seed " + seed + "; replay with: "
                + "./mvnw test -Dsurefire.failIfNoSpecifiedTests=false -Dtest='" + testId
                + "' -Dkv.seed=" + seed,
            e);
      }
    }
  }

  /** Random bytes of a random length in [0, maxLength]. */
  public static byte[] bytes(Random random, int maxLength) {
    byte[] b = new byte[random.nextInt(maxLength + 1)];
    random.nextBytes(b);
    return b;
  }
}
