package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.client.KvClient;
import dev.kv.server.config.ClusterSettings;
import dev.kv.server.config.RaftLogSettings;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one more group replica costs a node: threads and direct memory (the Raft log's write
 * buffer and Ratis' gRPC buffers), measured as the difference between two loaded 3-node
 * clusters in this JVM that differ only in their number of data groups. Ratis defaults would
 * cost 8 MiB of direct memory per replica for the log's write buffer alone (see
 * RaftPropertiesMapper); the bounds below fail if such a default comes back. Prints the figures.
 */
class PerGroupCostTest {
  private static final int FEW = 2;
  private static final int MANY = 10;
  /** Each extra data group has a replica on each of the 3 nodes. */
  private static final int EXTRA_REPLICAS = (MANY - FEW) * 3;

  @TempDir Path dir;

  private record Cost(int threads, long directBytes, long heapBytes, long rssBytes) {}

  @Test
  void eachReplicaCostsABoundedNumberOfThreadsAndDirectMemory() throws Exception {
    Cost few = measure(dir.resolve("few"), FEW);
    Cost many = measure(dir.resolve("many"), MANY);

    double threads = (many.threads() - few.threads()) / (double) EXTRA_REPLICAS;
    double directMiB = (many.directBytes() - few.directBytes()) / (double) EXTRA_REPLICAS / (1 << 20);
    double heapMiB = (many.heapBytes() - few.heapBytes()) / (double) EXTRA_REPLICAS / (1 << 20);
    double rssMiB = (many.rssBytes() - few.rssBytes()) / (double) EXTRA_REPLICAS / (1 << 20);
    System.out.printf(Locale.ROOT,
        "per-group cost, per replica (from %d to %d data groups on 3 nodes, under load):"
            + " %.1f threads, %.2f MiB direct memory, %.2f MiB heap after GC, %.2f MiB resident"
            + " (%s -> %s)%n",
        FEW, MANY, threads, directMiB, heapMiB, rssMiB, few, many);

    assertThat(threads).as("threads per replica").isLessThanOrEqualTo(12);
    assertThat(directMiB).as("direct memory per replica, MiB").isLessThanOrEqualTo(3);
  }

  /** Starts a cluster, writes and reads in every group, measures while it is loaded, stops it. */
  private static Cost measure(Path dir, int dataGroups) throws Exception {
    ClusterSettings settings = new ClusterSettings(dataGroups, 3, Duration.ofMinutes(5));
    try (TestCluster cluster = TestCluster.start(dir, 3, RaftLogSettings.DEFAULTS, settings);
        KvClient client = cluster.client()) {
      ExecutorService load = Executors.newFixedThreadPool(16);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
          byte[] key = ("cost-" + i).getBytes(StandardCharsets.UTF_8);
          done.add(load.submit(() -> {
            client.put(key, new byte[256]);
            return client.get(key);
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
        // Measured while the load's threads still exist, so that both clusters count them.
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new Cost(
            ManagementFactory.getThreadMXBean().getThreadCount(), directBytes(), heap, rssBytes());
      } finally {
        load.shutdownNow();
      }
    }
  }

  private static long directBytes() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct"))
        .mapToLong(BufferPoolMXBean::getMemoryUsed)
        .sum();
  }

  /** This process' resident set (Linux), RocksDB's native memory included; 0 where unknown. */
  private static long rssBytes() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return 0;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }
}
