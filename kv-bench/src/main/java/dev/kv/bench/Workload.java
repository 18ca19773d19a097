package dev.kv.bench;

import dev.kv.client.ReadConsistency;
import java.time.Duration;
import java.util.Objects;

/**
 * What one run asks of a store: how many closed-loop clients, which operations in what proportion,
 * over how many keys and values of what size, and for how long (after a warm-up whose operations
 * count for nothing).
 *
 * @param name short id used in reports and JSON, e.g. "put-256B-c64"
 * @param description what a reader of the table should see, e.g. "64 clients, puts 256 B"
 * @param clients simulated clients; each has at most one operation in flight
 * @param writeFraction share of operations that are puts, from 0 (reads only) to 1 (puts only)
 * @param readConsistency the consistency of the reads (ignored when writeFraction is 1)
 * @param keys the keys are "bench-0" .. "bench-(keys-1)", chosen uniformly at random
 * @param valueSize bytes of every value written (random bytes, so incompressible)
 * @param duration the measured time, after the warm-up
 * @param warmup time run first whose operations are excluded from every figure
 */
public record Workload(
    String name,
    String description,
    int clients,
    double writeFraction,
    ReadConsistency readConsistency,
    int keys,
    int valueSize,
    Duration duration,
    Duration warmup) {

  public Workload {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(readConsistency, "readConsistency");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(warmup, "warmup");
    if (clients < 1) {
      throw new IllegalArgumentException("clients is " + clients + "; it must be at least 1");
    }
    if (!(writeFraction >= 0 && writeFraction <= 1)) {
      throw new IllegalArgumentException(
          "write fraction is " + writeFraction + "; it must be from 0 to 1");
    }
    if (keys < 1) {
      throw new IllegalArgumentException("keys is " + keys + "; it must be at least 1");
    }
    if (valueSize < 0) {
      throw new IllegalArgumentException("value size is " + valueSize + "; it must be >= 0");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration is " + duration + "; it must be positive");
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("warm-up is " + warmup + "; it must not be negative");
    }
  }

  /** Whether the run reads keys, which must then exist beforehand (see {@link Preloader}). */
  public boolean reads() {
    return writeFraction < 1;
  }
}
