package dev.kv.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.kv.client.ReadConsistency;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison runs the workloads of the issue, and --quick leaves room within 3 minutes. */
class ComparisonPlanTest {

  @Test
  void runsTheSixWorkloadsOfTheIssue() {
    List<Workload> plan =
        ComparisonPlan.workloads(10_000, ComparisonPlan.DURATION, ComparisonPlan.WARMUP);

    assertThat(plan)
        .extracting(Workload::clients, Workload::writeFraction, Workload::valueSize)
        .containsExactly(
            tuple(1, 1.0, 256),
            tuple(64, 1.0, 256),
            tuple(64, 0.0, 256),
            tuple(64, 0.5, 256),
            tuple(64, 0.0, 256),
            tuple(64, 1.0, 64 * 1024));
    assertThat(plan.get(4).readConsistency()).isEqualTo(ReadConsistency.SERIALIZABLE);
    assertThat(plan.get(2).readConsistency()).isEqualTo(ReadConsistency.LINEARIZABLE);
    assertThat(plan.get(1).name()).isEqualTo(ComparisonPlan.WRITES);
    assertThat(plan.get(2).name()).isEqualTo(ComparisonPlan.READS);
    assertThat(plan).allMatch(w -> w.duration().equals(Duration.ofSeconds(20)));
    assertThat(plan).allMatch(w -> w.warmup().equals(Duration.ofSeconds(5)));
  }

  @Test
  void quickRunsLeaveAMinuteForClustersAndPreloading() {
    // Measured on a 2-core machine: starting both clusters, preloading 10000 keys into each and
    // stopping them took about 40 s; the runs themselves must leave that much of 3 minutes.
    Duration perRun = ComparisonPlan.QUICK_DURATION.plus(ComparisonPlan.QUICK_WARMUP);
    Duration runs = perRun.multipliedBy(2L * ComparisonPlan.workloads(1, perRun, perRun).size());

    assertThat(runs).isLessThanOrEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void thePreloadCountsTowardsTheWarmUpButAQuarterStaysMixed() {
    Duration total = Duration.ofSeconds(20);

    assertThat(ComparisonPlan.warmupAfterPreload(total, Duration.ZERO)).isEqualTo(total);
    assertThat(ComparisonPlan.warmupAfterPreload(total, Duration.ofSeconds(4)))
        .isEqualTo(Duration.ofSeconds(16));
    assertThat(ComparisonPlan.warmupAfterPreload(total, Duration.ofSeconds(15)))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(ComparisonPlan.warmupAfterPreload(total, Duration.ofSeconds(34)))
        .isEqualTo(Duration.ofSeconds(5));
  }
}
