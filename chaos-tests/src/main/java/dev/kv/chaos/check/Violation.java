package dev.kv.chaos.check;

import java.util.List;

/**
 * Why one key is not linearizable, in the terms a report needs: how far the search got and what
 * stopped it. The prefix is the longest the search found (the first one of that length); other
 * prefixes of the same length may exist.
 *
 * @param longestLinearization ids of the operations of the longest linearizable prefix, in their
 *     linearization order
 * @param stateAfter the key's state after that prefix, as the model describes it
 * @param notLinearizable ids of the operations that real time allows next after the prefix: each
 *     one's answer contradicts {@code stateAfter} (at least one of them had to come next, since the
 *     first of them to return must be linearized before it returned)
 */
public record Violation(
    List<Long> longestLinearization, String stateAfter, List<Long> notLinearizable) {
  public Violation {
    longestLinearization = List.copyOf(longestLinearization);
    notLinearizable = List.copyOf(notLinearizable);
  }
}
