package dev.kv.bench;

import static dev.kv.client.ReadConsistency.LINEARIZABLE;
import static dev.kv.client.ReadConsistency.SERIALIZABLE;

import dev.kv.client.ReadConsistency;
import java.time.Duration;
import java.util.List;

/**
 * The workloads of {@code compare-etcd}, in the order they run, and their default timing. Two of
 * them feed the summary line: {@link #WRITES} (64 clients putting 256 B) and {@link #READS} (64
 * clients reading linearizably); those two and {@link #SINGLE_CLIENT_PUTS} feed the {@link Goals}.
 */
final class ComparisonPlan {
  static final String SINGLE_CLIENT_PUTS = "put-256B-c1";
  static final String WRITES = "put-256B-c64";
  static final String READS = "get-lin-c64";

  static final Duration DURATION = Duration.ofSeconds(20);
  static final Duration WARMUP = Duration.ofSeconds(5);
  static final Duration QUICK_DURATION = Duration.ofSeconds(5);
  static final Duration QUICK_WARMUP = Duration.ofSeconds(2);

  /**
   * Load on each store before the first measured workload, not measured. A freshly started JVM
   * needs load for a while before its JIT has compiled the hot paths; on 2 cores shared by three
   * kvd JVMs and the driver, the C2 compiler takes about one core for a minute or more. Measured
   * on a new 8-group kv cluster, consecutive 25 s runs of 64 clients' puts went 415, 728, 1,427,
   * 2,225, 2,178 and 2,388 writes/s: warm after about 100 s of load. A shorter warm-up would
   * compare a cold JVM with a Go binary that needs none. Both stores get at least this much; the
   * preload counts, see {@link #warmupAfterPreload}.
   */
  static final Duration CLUSTER_WARMUP = Duration.ofSeconds(120);
  static final Duration QUICK_CLUSTER_WARMUP = Duration.ofSeconds(20);

  /**
   * The mixed warm-up load a store still gets after its preload: the preload is unmeasured load
   * too (puts through the same client and server paths), so it counts towards {@code total}, but
   * at least a quarter of {@code total} stays mixed so the read path is warm as well. A store that
   * preloads slowly (a cold JVM) thus does not pay for its slowness twice in the run's length.
   */
  static Duration warmupAfterPreload(Duration total, Duration preload) {
    Duration rest = total.minus(preload);
    Duration least = total.dividedBy(4);
    return rest.compareTo(least) > 0 ? rest : least;
  }

  /** A workload without its key count and timing, which are the same for every one of them. */
  private record Shape(
      String name,
      String description,
      int clients,
      double writeFraction,
      ReadConsistency reads,
      int valueSize) {

    Workload with(int keys, Duration duration, Duration warmup) {
      return new Workload(
          name, description, clients, writeFraction, reads, keys, valueSize, duration, warmup);
    }
  }

  private static final List<Shape> SHAPES =
      List.of(
          new Shape(SINGLE_CLIENT_PUTS, "1 client, puts 256 B", 1, 1.0, LINEARIZABLE, 256),
          new Shape(WRITES, "64 clients, puts 256 B", 64, 1.0, LINEARIZABLE, 256),
          new Shape(READS, "64 clients, linearizable gets", 64, 0.0, LINEARIZABLE, 256),
          new Shape(
              "mixed-lin-c64",
              "64 clients, 50% puts / 50% linearizable gets",
              64,
              0.5,
              LINEARIZABLE,
              256),
          new Shape("get-ser-c64", "64 clients, serializable gets", 64, 0.0, SERIALIZABLE, 256),
          new Shape("put-64KiB-c64", "64 clients, puts 64 KiB", 64, 1.0, LINEARIZABLE, 64 * 1024));

  private ComparisonPlan() {}

  static List<Workload> workloads(int keys, Duration duration, Duration warmup) {
    return SHAPES.stream().map(shape -> shape.with(keys, duration, warmup)).toList();
  }

  /** The unmeasured load that warms a store up: mixed reads and writes, like the plan. */
  static Workload clusterWarmup(int keys, Duration length) {
    return new Shape(
            "cluster-warmup",
            "warm-up, not measured: 64 clients, 50% puts / 50% gets",
            64,
            0.5,
            LINEARIZABLE,
            256)
        .with(keys, length, Duration.ZERO);
  }
}
