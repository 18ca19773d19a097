package dev.kv.chaos.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Judges a grow-only set history: clients add unique elements, readers read the whole set, and
 * after healing one final read must hold every acknowledged add. With linearizable reads and no
 * removal, each read must contain every element acknowledged before the read began, may contain
 * an element only once its add was invoked, never one whose add definitely failed, and never
 * loses an element an earlier read (one that ended before it began) saw.
 */
public final class SetCheck {
  private static final int MAX_LISTED = 10;

  /** How one add ended. */
  public enum AddOutcome {
    /** Acknowledged: it must be in every later read. */
    OK,
    /** Definitely not applied (the SDK guarantees it): it must never be read. */
    FAILED,
    /** Timed out or lost its answer: it may or may not be read. */
    INDETERMINATE
  }

  /**
   * @param invokedNanos when the add was sent
   * @param returnedNanos when it returned (for INDETERMINATE: when the client gave up)
   */
  public record Add(String element, long invokedNanos, long returnedNanos, AddOutcome outcome) {}

  /** One complete read of the set between {@code startNanos} and {@code endNanos}. */
  public record Read(long startNanos, long endNanos, Set<String> elements) {
    public Read {
      elements = Set.copyOf(elements);
    }
  }

  /**
   * @param adds counts of adds by outcome
   * @param reads how many complete reads were judged (the final one included)
   * @param finalElements how many elements the final read held
   * @param violations what is wrong, one line each (at most a few per rule); empty when valid
   */
  public record Result(
      Map<AddOutcome, Long> adds, int reads, int finalElements, List<String> violations) {
    public Result {
      adds = Map.copyOf(adds);
      violations = List.copyOf(violations);
    }

    public boolean valid() {
      return violations.isEmpty();
    }

    public String describe() {
      return "set: " + adds.getOrDefault(AddOutcome.OK, 0L) + " adds acknowledged, "
          + adds.getOrDefault(AddOutcome.INDETERMINATE, 0L) + " indeterminate, "
          + adds.getOrDefault(AddOutcome.FAILED, 0L) + " failed; " + reads
          + " reads; the final read held " + finalElements + " elements; "
          + (valid() ? "valid" : violations.size() + " violations");
    }
  }

  private SetCheck() {}

  /**
   * @param finalRead the read after healing, begun once every add had returned; empty when no
   *     final read was answered, itself a violation when any add was acknowledged
   */
  public static Result check(List<Add> adds, List<Read> reads, Optional<Read> finalRead) {
    Map<String, Add> byElement = new HashMap<>();
    Map<AddOutcome, Long> counts = new HashMap<>();
    for (Add add : adds) {
      byElement.put(add.element(), add);
      counts.merge(add.outcome(), 1L, Long::sum);
    }
    List<String> violations = new ArrayList<>();
    List<Read> all = new ArrayList<>(reads);
    finalRead.ifPresent(all::add);
    for (Read read : all) {
      String which = read == finalRead.orElse(null) ? "the final read" : "a read";
      Set<String> unknown = new TreeSet<>();
      Set<String> failed = new TreeSet<>();
      Set<String> early = new TreeSet<>();
      for (String element : read.elements()) {
        Add add = byElement.get(element);
        if (add == null) {
          unknown.add(element);
        } else if (add.outcome() == AddOutcome.FAILED) {
          failed.add(element);
        } else if (add.invokedNanos() > read.endNanos()) {
          early.add(element);
        }
      }
      Set<String> missing = new TreeSet<>();
      for (Add add : adds) {
        if (add.outcome() == AddOutcome.OK && add.returnedNanos() < read.startNanos()
            && !read.elements().contains(add.element())) {
          missing.add(add.element());
        }
      }
      report(violations, unknown, which + " held elements nobody added");
      report(violations, failed, which + " held elements whose add definitely failed");
      report(violations, early, which + " held elements added only after it ended");
      report(violations, missing, which + " missed elements acknowledged before it began");
    }
    for (Read earlier : all) {
      for (Read later : all) {
        if (earlier.endNanos() < later.startNanos()) {
          Set<String> vanished = new TreeSet<>(earlier.elements());
          vanished.removeAll(later.elements());
          report(violations, vanished, "elements an earlier read saw were gone from a later one");
        }
      }
    }
    if (finalRead.isEmpty() && counts.getOrDefault(AddOutcome.OK, 0L) > 0) {
      violations.add("no final read was answered, so no acknowledged add could be confirmed");
    }
    return new Result(counts, all.size(), finalRead.map(r -> r.elements().size()).orElse(0),
        violations);
  }

  private static void report(List<String> violations, Set<String> elements, String what) {
    if (elements.isEmpty()) {
      return;
    }
    List<String> listed = elements.stream().limit(MAX_LISTED).toList();
    violations.add(what + ": " + elements.size() + " (" + String.join(", ", listed)
        + (elements.size() > MAX_LISTED ? ", ..." : "") + ")");
  }
}
