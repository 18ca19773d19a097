package dev.kv.chaos.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.nemesis.FaultKind;
import dev.kv.chaos.nemesis.Partitions;
import dev.kv.chaos.run.RunResult;
import dev.kv.chaos.run.Scenario;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The long randomized run, off in CI: {@code -Dchaos.long=true} (optionally
 * {@code -Dchaos.long.seconds=N}, default 600, {@code -Dchaos.long.faults=PAUSE,KILL} to hunt with
 * some fault kinds only, and {@code -Dchaos.seed=N} to replay). Every fault kind by default, a
 * fresh seed each time, on a cluster that snapshots as often as SnapshotInstallIT's, so
 * any fault that leaves a node behind may send it a snapshot.
 */
@EnabledIfSystemProperty(named = "chaos.long", matches = "true")
class LongChaosIT {

  @Test
  void everyFaultRandomized(TestInfo test) throws Exception {
    Partitions.sweepOrphans();
    long seed = ChaosSeeds.randomSeed();
    Duration length = Duration.ofSeconds(Long.getLong("chaos.long.seconds", 600));
    try (ChaosCluster cluster = ChaosCluster.start(ChaosEnvironment.image(),
        ChaosEnvironment.workDir().resolve("clusters/long"),
        SnapshotInstallIT.SMALL_SNAPSHOTS)) {
      RunResult result = ChaosSuiteIT.run(cluster, LongChaosIT.class, test,
          new Scenario("long", faults(), length, Duration.ofSeconds(3),
              Duration.ofSeconds(2), Duration.ofSeconds(12),
              dev.kv.chaos.workload.RegisterWorkload.Settings.DEFAULTS, 0),
          seed);
      assertThat(result.passed()).as(result.summary()).isTrue();
    }
  }

  /** The kinds -Dchaos.long.faults names (comma-separated), else every kind. */
  static List<FaultKind> faults() {
    String named = System.getProperty("chaos.long.faults", "").strip();
    if (named.isEmpty()) {
      return List.of(FaultKind.values());
    }
    return java.util.Arrays.stream(named.split(","))
        .map(name -> FaultKind.valueOf(name.strip().toUpperCase(java.util.Locale.ROOT)))
        .toList();
  }
}
