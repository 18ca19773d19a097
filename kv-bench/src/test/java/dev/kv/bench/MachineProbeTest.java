package dev.kv.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineProbeTest {
  @TempDir Path dir;

  @Test
  void fsyncProbeTimesEachAppendAndLeavesNoFileBehind() throws IOException {
    LatencySummary fsync = MachineProbe.fsyncLatency(dir, 20);

    assertThat(fsync.count()).isEqualTo(20);
    assertThat(fsync.p50Micros()).isPositive();
    assertThat(MachineProbe.describe(fsync)).contains("p50 ").contains("20 fsynced appends of 256 B");
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void stealIsTheStolenShareOfAllCpuTimeBetweenTwoReadings() {
    var before = MachineProbe.CpuTicks.parse("cpu  100 0 50 800 10 0 5 35 0 0");
    var after = MachineProbe.CpuTicks.parse("cpu  300 0 100 1400 10 0 5 85 7 0");

    assertThat(before.total()).isEqualTo(1000);
    assertThat(after.stealPercentSince(before)).isCloseTo(100.0 * 50 / 900, within(1e-9));
    assertThat(before.stealPercentSince(before)).isZero();
    assertThatThrownBy(() -> MachineProbe.CpuTicks.parse("cpu0 1 2 3 4 5 6 7 8"))
        .hasMessageContaining("not the cpu line");
  }
}
