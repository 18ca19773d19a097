package dev.kv.chaos.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A recorded history: immutable, in a canonical order (operations by id, nemesis events by time,
 * ties in the order given), so two histories with the same content are equal.
 */
public record History(List<Operation> operations, List<NemesisEvent> nemesisEvents) {

  public History {
    operations = sorted(operations, Comparator.comparingLong(Operation::id));
    nemesisEvents = sorted(nemesisEvents, Comparator.comparingLong(NemesisEvent::timeNanos));
    for (int i = 1; i < operations.size(); i++) {
      if (operations.get(i).id() == operations.get(i - 1).id()) {
        throw new IllegalArgumentException(
            "operation id " + operations.get(i).id() + " appears twice in the history");
      }
    }
  }

  /** A history of operations alone, with no faults. */
  public static History of(List<Operation> operations) {
    return new History(operations, List.of());
  }

  private static <T> List<T> sorted(List<T> items, Comparator<T> order) {
    List<T> copy = new ArrayList<>(items);
    copy.sort(order); // stable: equal times keep their recorded order
    return List.copyOf(copy);
  }
}
