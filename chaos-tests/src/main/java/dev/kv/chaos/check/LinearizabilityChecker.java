package dev.kv.chaos.check;

import dev.kv.chaos.history.History;
import dev.kv.chaos.history.OpKind;
import dev.kv.chaos.history.Operation;
import dev.kv.chaos.history.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Checks a history for linearizability, key by key. Keys are independent (every operation touches
 * one key), and a history is linearizable exactly when each key's sub-history is, so the search
 * runs per key, which keeps it small. Owns the partitioning, the deadlines and the verdict of the
 * whole; the search itself is {@link LinearizationSearch}, the meaning of operations a {@link
 * Model}.
 *
 * <p>Before the search, operations that cannot matter are dropped: FAILED ones (they did not
 * happen) and INDETERMINATE reads (a read changes nothing, and its answer is unknown).
 *
 * <p>Real time: operation A precedes B exactly when A returned strictly before B was called. A
 * return and a call at the same clock reading count as concurrent, since the reading cannot tell
 * which came first; this errs towards accepting, never towards a false violation.
 */
public final class LinearizabilityChecker {
  private final Model<?> model;
  private final CheckOptions options;
  private final LongSupplier nanoClock;

  /**
   * @param model what one key's operations mean
   * @param options the check's limits
   * @param nanoClock the clock deadlines are measured on, for example {@code System::nanoTime}
   */
  public LinearizabilityChecker(Model<?> model, CheckOptions options, LongSupplier nanoClock) {
    this.model = Objects.requireNonNull(model, "model");
    this.options = Objects.requireNonNull(options, "options");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** A checker for the service's keys ({@link RegisterModel}), on the system's clock. */
  public static LinearizabilityChecker forRegisters(CheckOptions options) {
    return new LinearizabilityChecker(new RegisterModel(), options, System::nanoTime);
  }

  /** Checks a recorded history; its nemesis events play no part. */
  public CheckResult check(History history) {
    return check(history.operations());
  }

  /** Checks the operations of a history, in any order. */
  public CheckResult check(Collection<Operation> operations) {
    long start = nanoClock.getAsLong();
    long totalDeadline = start + options.totalTimeout().toNanos();
    List<KeyResult> results = new ArrayList<>();
    for (Map.Entry<String, List<Operation>> key : byKey(operations).entrySet()) {
      results.add(checkKey(key.getKey(), key.getValue(), totalDeadline));
    }
    return new CheckResult(results, Duration.ofNanos(nanoClock.getAsLong() - start));
  }

  private KeyResult checkKey(String key, List<Operation> operations, long totalDeadline) {
    long start = nanoClock.getAsLong();
    List<Operation> relevant = relevant(operations);
    if (start - totalDeadline >= 0) {
      return new KeyResult(
          key,
          Verdict.UNKNOWN,
          relevant.size(),
          0,
          Duration.ZERO,
          Optional.empty(),
          Optional.of("not checked: the total timeout of " + options.totalTimeout() + " passed"));
    }
    long keyDeadline = start + options.perKeyTimeout().toNanos();
    long deadline = keyDeadline - totalDeadline < 0 ? keyDeadline : totalDeadline;
    SearchResult result =
        LinearizationSearch.run(model, relevant, deadline, nanoClock, options.maxCachedStates());
    return new KeyResult(
        key,
        result.verdict(),
        relevant.size(),
        result.steps(),
        Duration.ofNanos(nanoClock.getAsLong() - start),
        result.violation(),
        result.unknownReason().map(reason -> reason + " (" + limits() + ")"));
  }

  private String limits() {
    return "limits: "
        + options.perKeyTimeout()
        + " per key, "
        + options.totalTimeout()
        + " in total, "
        + options.maxCachedStates()
        + " cached states";
  }

  private static Map<String, List<Operation>> byKey(Collection<Operation> operations) {
    Map<String, List<Operation>> byKey = new TreeMap<>();
    for (Operation op : operations) {
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    return byKey;
  }

  private static List<Operation> relevant(List<Operation> operations) {
    return operations.stream()
        .filter(op -> op.outcome() != Outcome.FAILED)
        .filter(op -> op.outcome() != Outcome.INDETERMINATE || op.kind() != OpKind.GET)
        .sorted(Comparator.comparingLong(Operation::callNanos).thenComparingLong(Operation::id))
        .toList();
  }
}
