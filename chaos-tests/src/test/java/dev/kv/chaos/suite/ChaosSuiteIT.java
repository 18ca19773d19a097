package dev.kv.chaos.suite;

import static dev.kv.chaos.nemesis.FaultKind.CLOCK_SKEW;
import static dev.kv.chaos.nemesis.FaultKind.DELAY;
import static dev.kv.chaos.nemesis.FaultKind.ISOLATE_LEADER;
import static dev.kv.chaos.nemesis.FaultKind.ISOLATE_NODE;
import static dev.kv.chaos.nemesis.FaultKind.KILL;
import static dev.kv.chaos.nemesis.FaultKind.LEADER_HANDOFF;
import static dev.kv.chaos.nemesis.FaultKind.LEADER_TRANSFER;
import static dev.kv.chaos.nemesis.FaultKind.MAJORITIES_RING;
import static dev.kv.chaos.nemesis.FaultKind.MEMBERSHIP;
import static dev.kv.chaos.nemesis.FaultKind.PAUSE;
import static dev.kv.chaos.nemesis.FaultKind.SPLIT;
import static dev.kv.chaos.nemesis.FaultKind.TRUNCATE_LOG_TAIL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.chaos.check.Verdict;
import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.nemesis.Partitions;
import dev.kv.chaos.run.ChaosRun;
import dev.kv.chaos.run.CpVsApRun;
import dev.kv.chaos.run.RunResult;
import dev.kv.chaos.run.Scenario;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The CI set: one cluster of 3 seed nodes with 4 data groups, one scenario per fault family (the
 * snapshot install is in SnapshotInstallIT, on a cluster that snapshots often), each with a fixed seed,
 * a recorded history, the linearizability check, the lost-write check, the check that every data
 * group was used, and the comparison of every group's replicas after healing. Each run's report
 * is under target/chaos/reports/. Runs in ./mvnw verify; -Dchaos.seed=N replays one scenario.
 *
 * <p>The scenarios share the cluster, and the membership scenario changes who its members are (a
 * node joins, one is drained and removed), so the others must not care which nodes they get.
 */
class ChaosSuiteIT {
  private static final Duration RUN = Duration.ofSeconds(30);

  /**
   * kvd's default snapshot interval, so that each scenario is about its own fault; snapshot
   * installs have their own scenario (SnapshotInstallIT) and the long run.
   */
  static final ChaosCluster.Options OPTIONS = ChaosCluster.Options.DEFAULTS;

  private static ChaosCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    Partitions.sweepOrphans();
    cluster = ChaosCluster.start(ChaosEnvironment.image(),
        ChaosEnvironment.workDir().resolve("clusters/suite"), OPTIONS);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void killAndRestart(TestInfo test) throws Exception {
    run(test, Scenario.of("kill", RUN, KILL, LEADER_HANDOFF), 11);
  }

  @Test
  void leaderTransfers(TestInfo test) throws Exception {
    run(test, Scenario.of("transfer", RUN, LEADER_TRANSFER), 18);
  }

  /** A node joins and then one is drained and removed, while the workload runs. */
  @Test
  void joinAndDrain(TestInfo test) throws Exception {
    run(test, Scenario.of("membership", RUN, MEMBERSHIP).withMinFaults(2), 19);
  }

  @Test
  void pauseAndResume(TestInfo test) throws Exception {
    run(test, Scenario.of("pause", RUN, PAUSE), 12);
  }

  @Test
  void partitions(TestInfo test) throws Exception {
    run(test, Scenario.of("partition", RUN.plusSeconds(10), ISOLATE_NODE, ISOLATE_LEADER, SPLIT,
        MAJORITIES_RING), 13);
  }

  @Test
  void networkDelay(TestInfo test) throws Exception {
    run(test, Scenario.of("delay", RUN, DELAY), 17);
  }

  @Test
  void clockSkew(TestInfo test) throws Exception {
    run(test, Scenario.of("clock", RUN, CLOCK_SKEW), 16);
  }

  @Test
  void truncatedLogTail(TestInfo test) throws Exception {
    run(test, Scenario.of("truncate", RUN, TRUNCATE_LOG_TAIL), 15);
  }

  @Test
  void cpVersusAp() throws Exception {
    CpVsApRun.Result r = new CpVsApRun(cluster,
        ChaosEnvironment.workDir().resolve("reports/cp-vs-ap"),
        ChaosSeeds.replay(ChaosSuiteIT.class, "cpVersusAp", 0)).run();
    String where = "report: " + r.reportDir().resolve("report.html");
    System.out.println("chaos: cp-vs-ap: linearizable " + r.linearizable().verdict()
        + ", serializable " + r.serializable().verdict() + "; minority refused "
        + r.minorityLinearizableRefused() + " linearizable reads and answered "
        + r.minoritySerializableAnswered() + " serializable ones; " + where);
    assertThat(r.linearizable().verdict()).as(where).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(r.minorityLinearizableAnswered()).as(where).isZero();
    assertThat(r.minorityLinearizableRefused()).as(where).isPositive();
    assertThat(r.minoritySerializableAnswered()).as(where).isPositive();
    assertThat(r.serializable().verdict()).as(where).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  static RunResult run(ChaosCluster cluster, Class<?> testClass, TestInfo test,
      Scenario scenario, long seed) throws Exception {
    String method = test.getTestMethod().orElseThrow().getName();
    RunResult result = new ChaosRun(cluster, scenario, seed,
        ChaosEnvironment.workDir().resolve("reports/" + scenario.name()),
        ChaosSeeds.replay(testClass, method, seed)).run();
    System.out.println("chaos: " + result.summary());
    return result;
  }

  private static void run(TestInfo test, Scenario scenario, long fixedSeed) throws Exception {
    RunResult result = run(cluster, ChaosSuiteIT.class, test, scenario,
        ChaosSeeds.seed(fixedSeed));
    assertThat(result.passed()).as(result.summary()).isTrue();
  }
}
