package dev.kv.chaos.history;

import java.util.Objects;

/**
 * A fault the nemesis started or stopped, on the same clock as the operations, so a report can show
 * which operations ran during which fault. The checker ignores these.
 *
 * @param name what the fault is, for example {@code "partition-majority"} or {@code "kill n2"}
 * @param phase whether the fault started or stopped at {@code timeNanos}
 * @param timeNanos when, on the history's clock
 */
public record NemesisEvent(String name, Phase phase, long timeNanos) {

  /** Start or end of a fault. */
  public enum Phase {
    START,
    STOP
  }

  public NemesisEvent {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(phase, "phase");
  }
}
