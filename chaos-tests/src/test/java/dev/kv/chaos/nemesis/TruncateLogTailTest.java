package dev.kv.chaos.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TruncateLogTailTest {

  @Test
  void cutsOnlyTheNewestOpenSegmentAndNeverItsHeader(@TempDir Path data) throws Exception {
    Path current = Files.createDirectories(data.resolve("raft/group-1/current"));
    Files.write(current.resolve("log_0-99"), new byte[5000]);
    Files.write(current.resolve("log_inprogress_100"), new byte[3000]);
    Files.write(current.resolve("log_inprogress_7"), new byte[3000]);

    assertThat(FaultKind.truncateNewestSegment(data, 1000)).isEqualTo(1000);
    assertThat(Files.size(current.resolve("log_inprogress_100"))).isEqualTo(2000);
    assertThat(Files.size(current.resolve("log_inprogress_7"))).isEqualTo(3000);
    assertThat(Files.size(current.resolve("log_0-99"))).isEqualTo(5000);

    assertThat(FaultKind.truncateNewestSegment(data, 100_000)).isEqualTo(2000 - 9);
    assertThat(Files.size(current.resolve("log_inprogress_100"))).isEqualTo(9);
  }

  @Test
  void aNodeWithoutALogIsLeftAlone(@TempDir Path data) throws Exception {
    assertThat(FaultKind.truncateNewestSegment(data, 100)).isZero();
  }
}
