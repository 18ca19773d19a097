package dev.kv.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a long snapshot or restore shows on stderr, on a hand-driven clock. */
class ProgressTest {
  private final StringWriter out = new StringWriter();
  private final AtomicLong now = new AtomicLong(1_000);
  private final Progress progress =
      new Progress(new PrintWriter(out), "snapshot", 3, now::get);

  private String[] lines() {
    return out.toString().lines().toArray(String[]::new);
  }

  @Test
  void aLongGroupShowsALineEveryIntervalAndNotMoreOften() {
    progress.add("data-0", 100, 4096);
    now.addAndGet(Progress.INTERVAL_NANOS - 1);
    progress.add("data-0", 100, 4096);
    assertThat(lines()).as("nothing before the interval has passed").isEmpty();

    now.addAndGet(1);
    progress.add("data-0", 50, 2048);
    assertThat(lines())
        .containsExactly("snapshot: 0/3 groups, 250 records, 10.0 KiB (data-0 in progress)");

    now.addAndGet(Progress.INTERVAL_NANOS / 2);
    progress.add("data-0", 1, 1);
    assertThat(lines()).as("the interval counts from the last line").hasSize(1);

    now.addAndGet(Progress.INTERVAL_NANOS / 2);
    progress.add("data-0", 1, 1);
    assertThat(lines()).hasSize(2);
    assertThat(lines()[1]).startsWith("snapshot: 0/3 groups, 252 records");
  }

  @Test
  void everyGroupDonePrintsALineAndRestartsTheInterval() {
    progress.add("data-0", 10, 100);
    progress.groupDone("data-0");
    now.addAndGet(Progress.INTERVAL_NANOS - 1);
    progress.add("data-1", 5, 3 * 1024 * 1024);
    progress.groupDone("data-1");

    assertThat(lines()).containsExactly(
        "snapshot: 1/3 groups, 10 records, 100 B (data-0 done)",
        "snapshot: 2/3 groups, 15 records, 3.0 MiB (data-1 done)");
    assertThat(progress.records()).isEqualTo(15);
    assertThat(progress.bytes()).isEqualTo(100 + 3 * 1024 * 1024);
  }

  @Test
  void sizesReadAsAPersonWouldWriteThem() {
    assertThat(Progress.size(1023)).isEqualTo("1023 B");
    assertThat(Progress.size(1536)).isEqualTo("1.5 KiB");
    assertThat(Progress.size(5L * 1024 * 1024 * 1024)).isEqualTo("5.00 GiB");
  }
}
