package dev.kv.chaos.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.chaos.check.Verdict;
import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.nemesis.FaultKind;
import dev.kv.chaos.run.RunResult;
import dev.kv.chaos.run.Scenario;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The suite must fail on a broken server: with kvd's planted bug switch on
 * (KV_CHAOS_BUG_STALE_READS=true: linearizable reads served from local state without ReadIndex),
 * a partition run must end NOT_LINEARIZABLE. A workload that passes this server proves nothing.
 */
class StaleReadBugIT {

  @Test
  void plantedStaleReadBugIsCaught(TestInfo test) throws Exception {
    try (ChaosCluster cluster = ChaosCluster.start(ChaosEnvironment.image(),
        ChaosEnvironment.workDir().resolve("clusters/stale-read-bug"),
        ChaosCluster.Options.DEFAULTS.withNodeEnv(Map.of("KV_CHAOS_BUG_STALE_READS", "true")))) {
      RunResult result = ChaosSuiteIT.run(cluster, StaleReadBugIT.class, test,
          Scenario.of("stale-read-bug", Duration.ofSeconds(25), FaultKind.ISOLATE_NODE,
              FaultKind.ISOLATE_LEADER),
          ChaosSeeds.seed(31));
      assertThat(result.passed()).as("the suite passed a server with stale reads").isFalse();
      assertThat(result.check().verdict()).as(result.summary())
          .isEqualTo(Verdict.NOT_LINEARIZABLE);
    }
  }
}
