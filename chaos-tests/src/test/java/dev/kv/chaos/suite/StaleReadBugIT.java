package dev.kv.chaos.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.chaos.check.Verdict;
import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.run.CpVsApRun;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The suite must fail on a broken server: with kvd's planted bug switch on
 * (KV_CHAOS_BUG_STALE_READS=true: linearizable reads served from local state without ReadIndex),
 * the suite's CP-versus-AP scenario must end NOT_LINEARIZABLE. A suite that passes this server
 * proves nothing.
 *
 * <p>That scenario, not a randomized partition run, is the one asserted: it reads on the cut-off
 * node itself, so the stale reads are certain. The randomized runs read through the SDK, which
 * sends a read to the group's leader; a stale read there needs a deposed leader that has not
 * stepped down yet, a window of about a second that a run of a few faults may miss (a CI run once
 * did).
 */
class StaleReadBugIT {

  @Test
  void plantedStaleReadBugIsCaught() throws Exception {
    try (ChaosCluster cluster = ChaosCluster.start(ChaosEnvironment.image(),
        ChaosEnvironment.workDir().resolve("clusters/stale-read-bug"),
        ChaosCluster.Options.DEFAULTS.withNodeEnv(Map.of("KV_CHAOS_BUG_STALE_READS", "true")))) {
      CpVsApRun.Result r = new CpVsApRun(cluster,
          ChaosEnvironment.workDir().resolve("reports/stale-read-bug"),
          ChaosSeeds.replay(StaleReadBugIT.class, "plantedStaleReadBugIsCaught", 0)).run();
      String where = "report: " + r.reportDir().resolve("report.html");
      System.out.println("chaos: stale-read-bug: linearizable " + r.linearizable().verdict()
          + "; the cut-off node answered " + r.minorityLinearizableAnswered()
          + " linearizable reads; " + where);
      assertThat(r.asExpected()).as("the suite passed a server with stale reads; " + where)
          .isFalse();
      assertThat(r.minorityLinearizableAnswered()).as(where).isPositive();
      assertThat(r.linearizable().verdict()).as(where).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }
  }
}
