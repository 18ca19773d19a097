package dev.kv.chaos.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.chaos.cluster.ChaosCluster;
import dev.kv.chaos.nemesis.FaultKind;
import dev.kv.chaos.run.RunResult;
import dev.kv.chaos.run.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A follower cut off until it needs a snapshot install (see FaultKind.ISOLATE_FOR_SNAPSHOT), on
 * its own cluster, which snapshots every 100 entries in 16 KiB log segments so that the leaders
 * soon purge the log the follower would need.
 *
 * <p>This scenario found two real bugs, both reproduced in-JVM by PartitionedFollowerTest in
 * kv-server. After an install the follower never served again (Ratis 3.3.0 chains a follower's
 * appends onto one future, which a snapshot install breaks for good; kvd turns that composition
 * off). And a second install landing while the first was still loading was lost, leaving a
 * replica that could never apply again (kvd refuses the second until the first is loaded; see
 * SnapshotReloadGuard in kv-statemachine).
 */
class SnapshotInstallIT {
  static final ChaosCluster.Options SMALL_SNAPSHOTS =
      ChaosCluster.Options.DEFAULTS.withSnapshots(100, 16 * 1024);

  @Test
  void snapshotInstall(TestInfo test) throws Exception {
    Path dataDirs = ChaosEnvironment.workDir().resolve("clusters/snapshot");
    try (ChaosCluster cluster = ChaosCluster.start(ChaosEnvironment.image(), dataDirs,
        SMALL_SNAPSHOTS)) {
      RunResult result = ChaosSuiteIT.run(cluster, SnapshotInstallIT.class, test,
          Scenario.of("snapshot-install", Duration.ofSeconds(30), FaultKind.ISOLATE_FOR_SNAPSHOT),
          ChaosSeeds.seed(14));
      assertThat(result.passed()).as(result.summary()).isTrue();
      assertThat(installedSnapshotFiles(dataDirs))
          .as("a follower received a snapshot (Ratis leaves an .md5 file beside each file it"
              + " installs)")
          .isNotEmpty();
    }
  }

  private static List<Path> installedSnapshotFiles(Path dataDirs) throws IOException {
    try (Stream<Path> files = Files.walk(dataDirs)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".md5")).toList();
    }
  }
}
