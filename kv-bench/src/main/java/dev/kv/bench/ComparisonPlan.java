package dev.kv.bench;

import static dev.kv.client.ReadConsistency.LINEARIZABLE;
import static dev.kv.client.ReadConsistency.SERIALIZABLE;

import dev.kv.client.ReadConsistency;
import java.time.Duration;
import java.util.List;

/**
 * The workloads of {@code compare-etcd}, in the order they run, and their default timing. Two of
 * them feed the summary line: {@link #WRITES} (64 clients putting 256 B) and {@link #READS} (64
 * clients reading linearizably).
 */
final class ComparisonPlan {
  static final String WRITES = "put-256B-c64";
  static final String READS = "get-lin-c64";

  static final Duration DURATION = Duration.ofSeconds(20);
  static final Duration WARMUP = Duration.ofSeconds(5);
  static final Duration QUICK_DURATION = Duration.ofSeconds(8);
  static final Duration QUICK_WARMUP = Duration.ofSeconds(2);

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
          new Shape("put-256B-c1", "1 client, puts 256 B", 1, 1.0, LINEARIZABLE, 256),
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
}
