package dev.kv.chaos.run;

import dev.kv.chaos.nemesis.FaultKind;
import dev.kv.chaos.workload.RegisterWorkload;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One chaos run's plan: which faults the nemesis draws from, how long the run lasts and how the
 * workload behaves.
 *
 * @param name a short id, used for the report folder and the keys' prefix
 * @param faults the nemesis draws each fault from these, uniformly; empty for a calm run
 * @param duration how long the workload runs (the final reads and the check come after)
 * @param quiet calm time before the first fault and after each healed one
 * @param holdMin shortest time a fault lasts
 * @param holdMax longest time a fault lasts
 * @param workload the clients' settings
 * @param minFaults the nemesis injects at least this many faults, running past {@code duration}
 *     if it must (for faults that only make sense in sequence, like a join and then a drain)
 */
public record Scenario(
    String name,
    List<FaultKind> faults,
    Duration duration,
    Duration quiet,
    Duration holdMin,
    Duration holdMax,
    RegisterWorkload.Settings workload,
    int minFaults) {

  public Scenario {
    Objects.requireNonNull(name, "name");
    faults = List.copyOf(faults);
    if (holdMax.compareTo(holdMin) < 0) {
      throw new IllegalArgumentException("holdMax " + holdMax + " is below holdMin " + holdMin);
    }
    if (minFaults < 0 || (minFaults > 0 && faults.isEmpty())) {
      throw new IllegalArgumentException(
          "minFaults is " + minFaults + " with " + faults.size() + " fault kinds");
    }
  }

  /** A scenario with the suite's usual pacing: 3 s calm, faults of 3 to 7 s. */
  public static Scenario of(String name, Duration duration, FaultKind... faults) {
    return new Scenario(name, List.of(faults), duration, Duration.ofSeconds(3),
        Duration.ofSeconds(3), Duration.ofSeconds(7), RegisterWorkload.Settings.DEFAULTS, 0);
  }

  public Scenario withWorkload(RegisterWorkload.Settings settings) {
    return new Scenario(name, faults, duration, quiet, holdMin, holdMax, settings, minFaults);
  }

  public Scenario withDuration(Duration newDuration) {
    return new Scenario(name, faults, newDuration, quiet, holdMin, holdMax, workload, minFaults);
  }

  public Scenario withMinFaults(int count) {
    return new Scenario(name, faults, duration, quiet, holdMin, holdMax, workload, count);
  }
}
