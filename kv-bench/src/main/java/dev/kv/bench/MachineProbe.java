package dev.kv.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * What the figures depend on besides the stores: how long the disk takes to make a small append
 * durable, and how much CPU the hypervisor took away (steal). Both stores fsync every write, and
 * a shared virtual machine's disk and CPU vary from hour to hour; a comparison run on a slow hour
 * says so next to its figures.
 */
final class MachineProbe {
  private static final int APPEND_BYTES = 256;
  private static final Path PROC_STAT = Path.of("/proc/stat");

  private MachineProbe() {}

  /** Latency of {@code samples} appends of 256 B to a new file in {@code dir}, each fsynced. */
  static LatencySummary fsyncLatency(Path dir, int samples) throws IOException {
    Path file = Files.createTempFile(dir, "fsync-probe", ".bin");
    Histogram micros = new Histogram(3);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.APPEND)) {
      ByteBuffer block = ByteBuffer.allocate(APPEND_BYTES);
      for (int i = 0; i < samples; i++) {
        block.rewind();
        long start = System.nanoTime();
        channel.write(block);
        channel.force(false);
        micros.recordValue(Math.max(1, (System.nanoTime() - start) / 1_000));
      }
    } finally {
      Files.deleteIfExists(file);
    }
    return LatencySummary.of(micros);
  }

  static String describe(LatencySummary fsync) {
    return String.format(
        "p50 %.2f ms, p99 %.2f ms (%d fsynced appends of %d B)",
        LatencySummary.millis(fsync.p50Micros()),
        LatencySummary.millis(fsync.p99Micros()),
        fsync.count(),
        APPEND_BYTES);
  }

  /** The machine's CPU time so far, all cores, in clock ticks; and how much of it was stolen. */
  record CpuTicks(long total, long steal) {
    /** The share of the CPU time between {@code earlier} and this that was stolen, in percent. */
    double stealPercentSince(CpuTicks earlier) {
      long total = this.total - earlier.total;
      return total <= 0 ? 0 : 100.0 * (steal - earlier.steal) / total;
    }

    /** Parses the aggregate "cpu" line of /proc/stat. */
    static CpuTicks parse(String procStatCpuLine) {
      String[] f = procStatCpuLine.trim().split("\\s+");
      if (!f[0].equals("cpu") || f.length < 9) {
        throw new IllegalArgumentException("not the cpu line of /proc/stat: " + procStatCpuLine);
      }
      long total = 0;
      // user nice system idle iowait irq softirq steal [guest guest_nice, already in user/nice]
      for (int i = 1; i <= 8; i++) {
        total += Long.parseLong(f[i]);
      }
      return new CpuTicks(total, Long.parseLong(f[8]));
    }
  }

  /** The machine's CPU ticks now, or empty where there is no /proc/stat (not Linux). */
  static Optional<CpuTicks> cpuTicks() {
    try (var lines = Files.lines(PROC_STAT)) {
      return lines.filter(l -> l.startsWith("cpu ")).findFirst().map(CpuTicks::parse);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
