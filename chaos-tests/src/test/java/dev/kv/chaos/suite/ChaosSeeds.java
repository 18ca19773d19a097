package dev.kv.chaos.suite;

/**
 * Seeds of chaos runs: the CI set uses a fixed seed per scenario so it does the same every time;
 * {@code -Dchaos.seed=N} replays a run; the long run draws a fresh one. Every failure prints the
 * seed and the one-line command that replays it.
 */
final class ChaosSeeds {
  private ChaosSeeds() {}

  /** {@code -Dchaos.seed} when given, else {@code fixed}. */
  static long seed(long fixed) {
    return Long.getLong("chaos.seed", fixed);
  }

  /** A seed from -Dchaos.seed, or a fresh random one. */
  static long randomSeed() {
    return Long.getLong("chaos.seed", new java.util.Random().nextLong());
  }

  /**
   * The command that runs {@code testClass#method} again with {@code seed}, and with the switches
   * that enabled it (-Dchaos.long, -Dchaos.long.seconds, -Dchaos.long.faults,
   * -Dchaos.known-bugs) when they are set.
   */
  static String replay(Class<?> testClass, String method, long seed) {
    StringBuilder command = new StringBuilder(
        "./mvnw -pl chaos-tests -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false"
            + " -Dit.test='" + testClass.getSimpleName() + "#" + method + "' -Dchaos.seed=" + seed);
    for (String property : new String[] {"chaos.long", "chaos.long.seconds", "chaos.long.faults",
        "chaos.known-bugs"}) {
      String value = System.getProperty(property);
      if (value != null && !value.equals("false")) {
        command.append(" -D").append(property).append('=').append(value);
      }
    }
    return command.toString();
  }
}
