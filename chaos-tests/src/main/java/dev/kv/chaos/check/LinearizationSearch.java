package dev.kv.chaos.check;

import dev.kv.chaos.history.Operation;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The search for a linearization of one key's operations: Wing and Gong's backtracking search, with
 * Lowe's cache of visited configurations (as Porcupine does it). Owns the entry list, the undo
 * stack and the cache of a single search; it knows nothing of keys or values, only of a {@link
 * Model}. One instance runs one search, on one thread.
 *
 * <p>The history becomes a list of call and return entries in time order. The search walks it from
 * the front. At a call it asks the model whether that operation can take effect next; if so, it
 * lifts the operation's call and return out of the list (the operation is linearized, here) and
 * starts again from the front. Reaching a return entry means that operation returned without being
 * linearized, so an earlier choice was wrong: it undoes the last lift and tries the next candidate
 * after it. A configuration (set of linearized operations, state) seen before is not explored
 * again: everything after it depends only on those two.
 *
 * <p>An INDETERMINATE operation has no return entry (it returns at +infinity): it never forces a
 * backtrack and the search succeeds once every operation that returned is linearized, leaving the
 * indeterminate ones that were not needed unlinearized, which means they never took effect (or took
 * effect after everything else, which no answer could tell apart).
 */
final class LinearizationSearch<S> {
  // Steps between two reads of the clock; a step costs well under a microsecond.
  private static final int CLOCK_POLL_INTERVAL = 256;

  /**
   * Time order of entries. On equal times, calls come before returns: two readings of the clock
   * that are equal do not say which event came first, so an operation that returned at t and one
   * called at t count as concurrent. Only a return strictly before a call orders two operations.
   * This can only accept more histories, never reject a linearizable one. The operation index
   * breaks the remaining ties, to make the search deterministic.
   */
  private static final Comparator<Entry> TIME_ORDER =
      Comparator.<Entry>comparingLong(e -> e.time)
          .thenComparing(e -> !e.isCall)
          .thenComparingInt(e -> e.op);

  private final Model<S> model;
  private final List<Operation> operations; // the index is the operation's bit in a configuration
  private final Entry head = new Entry(-1, true, Long.MIN_VALUE); // sentinel before the first
  private int unlinearizedReturns; // return entries still in the list

  private LinearizationSearch(Model<S> model, List<Operation> operations) {
    this.model = model;
    this.operations = List.copyOf(operations);
    link(entries(this.operations));
  }

  /**
   * Searches until it finds a linearization, proves there is none, or hits a limit.
   *
   * @param operations one key's operations, none FAILED (they did not happen), in any order
   * @param deadlineNanos when to give up, on {@code clock}
   * @param maxCachedStates when the cache holds this many configurations, give up
   */
  static <S> SearchResult run(
      Model<S> model,
      List<Operation> operations,
      long deadlineNanos,
      LongSupplier clock,
      int maxCachedStates) {
    return new LinearizationSearch<>(model, operations)
        .search(deadlineNanos, clock, maxCachedStates);
  }

  private SearchResult search(long deadlineNanos, LongSupplier clock, int maxCachedStates) {
    S state = model.initialState();
    BitSet linearized = new BitSet(operations.size());
    Set<Configuration<S>> seen = new HashSet<>();
    List<Lift<S>> lifts = new ArrayList<>(); // the undo stack: the current partial linearization
    Deepest<S> deepest = new Deepest<>(new int[0], state, candidates());
    long steps = 0;
    Entry entry = head.next;
    while (unlinearizedReturns > 0) {
      if (steps++ % CLOCK_POLL_INTERVAL == 0 && clock.getAsLong() - deadlineNanos >= 0) {
        return SearchResult.unknown(steps, "deadline passed after " + steps + " search steps");
      }
      if (entry.isCall) {
        Optional<S> next = model.step(state, operations.get(entry.op));
        if (next.isPresent()) {
          linearized.set(entry.op);
          if (!seen.contains(new Configuration<>(linearized, next.get()))) {
            if (seen.size() >= maxCachedStates) {
              return SearchResult.unknown(
                  steps, "the search cached " + seen.size() + " states, the limit");
            }
            seen.add(new Configuration<>((BitSet) linearized.clone(), next.get()));
            lifts.add(new Lift<>(entry, state));
            state = next.get();
            lift(entry);
            if (lifts.size() > deepest.order.length) {
              deepest = new Deepest<>(order(lifts), state, candidates());
            }
            entry = head.next;
            continue;
          }
          linearized.clear(entry.op); // explored from here before, and it led nowhere
        }
        entry = entry.next;
      } else {
        // This operation returned, yet no choice so far linearized it before its return.
        if (lifts.isEmpty()) {
          return SearchResult.violation(steps, violation(deepest));
        }
        Lift<S> last = lifts.remove(lifts.size() - 1);
        linearized.clear(last.call.op);
        state = last.stateBefore;
        unlift(last.call);
        entry = last.call.next;
      }
    }
    return SearchResult.linearizable(steps);
  }

  private static List<Entry> entries(List<Operation> operations) {
    List<Entry> entries = new ArrayList<>(2 * operations.size());
    for (int i = 0; i < operations.size(); i++) {
      Operation op = operations.get(i);
      Entry call = new Entry(i, true, op.callNanos());
      entries.add(call);
      if (op.returned()) {
        Entry ret = new Entry(i, false, op.returnNanos());
        call.match = ret;
        entries.add(ret);
      }
    }
    entries.sort(TIME_ORDER);
    return entries;
  }

  private void link(List<Entry> entries) {
    Entry previous = head;
    for (Entry entry : entries) {
      previous.next = entry;
      entry.prev = previous;
      previous = entry;
      if (!entry.isCall) {
        unlinearizedReturns++;
      }
    }
  }

  // Removes a call and its return. The removed entries keep their own links, so unlift can put
  // them back exactly where they were, as long as lifts are undone in reverse order.
  private void lift(Entry call) {
    unlink(call);
    if (call.match != null) {
      unlink(call.match);
      unlinearizedReturns--;
    }
  }

  private void unlift(Entry call) {
    if (call.match != null) {
      relink(call.match);
      unlinearizedReturns++;
    }
    relink(call);
  }

  private static void unlink(Entry entry) {
    entry.prev.next = entry.next;
    if (entry.next != null) {
      entry.next.prev = entry.prev;
    }
  }

  private static void relink(Entry entry) {
    entry.prev.next = entry;
    if (entry.next != null) {
      entry.next.prev = entry;
    }
  }

  /** The operations real time allows next: the calls before the first remaining return. */
  private int[] candidates() {
    List<Integer> candidates = new ArrayList<>();
    for (Entry e = head.next; e != null && e.isCall; e = e.next) {
      candidates.add(e.op);
    }
    return candidates.stream().mapToInt(Integer::intValue).toArray();
  }

  private static <S> int[] order(List<Lift<S>> lifts) {
    return lifts.stream().mapToInt(l -> l.call.op).toArray();
  }

  private Violation violation(Deepest<S> deepest) {
    return new Violation(ids(deepest.order), model.describe(deepest.state), ids(deepest.next));
  }

  private List<Long> ids(int[] indexes) {
    List<Long> ids = new ArrayList<>(indexes.length);
    for (int index : indexes) {
      ids.add(operations.get(index).id());
    }
    return ids;
  }

  /** A call or return of one operation, in the doubly linked list the search lifts from. */
  private static final class Entry {
    final int op;
    final boolean isCall;
    final long time;
    Entry match; // a call's return entry; null when the operation never returned
    Entry prev;
    Entry next;

    Entry(int op, boolean isCall, long time) {
      this.op = op;
      this.isCall = isCall;
      this.time = time;
    }
  }

  /** A step of the current partial linearization, with what it takes to undo it. */
  private record Lift<S>(Entry call, S stateBefore) {}

  /** What Lowe's cache remembers. BitSet and records compare by content. */
  private record Configuration<S>(BitSet linearized, S state) {}

  /**
   * The longest partial linearization found so far, the state after it, and the operations that
   * could come next in real time. When it is first reached, the search tries every candidate next;
   * had any been accepted, a longer one would exist. So for the deepest one, every candidate was
   * rejected by the model: exactly what a report should show.
   */
  private record Deepest<S>(int[] order, S state, int[] next) {}
}
