package dev.kv.statemachine.apply;

import dev.kv.statemachine.proto.OwnedRange;
import dev.kv.statemachine.proto.Ownership;
import java.util.Optional;

/**
 * The hash ranges a group owns, read from its applied state. A data group owns nothing until the
 * placement controller's first {@code SetOwnership} is applied; the meta group owns its whole key
 * space from creation. Every write and read checks its key against these ranges, which is what
 * makes a stale route harmless: the wrong group refuses instead of applying.
 */
public final class OwnedRanges {
  /** The ownership of a group that owns the whole ring from creation (the meta group). */
  public static final Ownership WHOLE_RING =
      Ownership.newBuilder()
          .setEpoch(0)
          .addRanges(OwnedRange.newBuilder().setStart(0).setEnd(0))
          .build();

  /** The ownership of a new data group: nothing. */
  public static final Ownership NOTHING = Ownership.getDefaultInstance();

  private OwnedRanges() {}

  /** The owned range containing {@code hash}, if any. */
  public static Optional<OwnedRange> rangeContaining(Ownership ownership, long hash) {
    for (OwnedRange r : ownership.getRangesList()) {
      if (contains(r, hash)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  public static boolean owns(Ownership ownership, long hash) {
    return rangeContaining(ownership, hash).isPresent();
  }

  static boolean contains(OwnedRange r, long hash) {
    return Long.compareUnsigned(hash, r.getStart()) >= 0
        && (r.getEnd() == 0 || Long.compareUnsigned(hash, r.getEnd()) < 0);
  }

  /** A message naming the hash and what the group owns, for refusals. */
  public static String notOwned(Ownership ownership, long hash) {
    StringBuilder owned = new StringBuilder();
    for (OwnedRange r : ownership.getRangesList()) {
      owned.append(owned.isEmpty() ? "" : ", ")
          .append('[').append(Long.toUnsignedString(r.getStart(), 16)).append(", ")
          .append(r.getEnd() == 0 ? "2^64" : Long.toUnsignedString(r.getEnd(), 16)).append(')');
    }
    return "key hash " + Long.toUnsignedString(hash, 16) + " is not owned by this group (it owns "
        + (owned.isEmpty() ? "nothing" : owned) + " at placement epoch " + ownership.getEpoch()
        + "); refresh the placement map and retry";
  }

  /** Checks that the ranges are well formed (non-empty, not overlapping). */
  static String invalid(Ownership ownership) {
    var ranges = ownership.getRangesList();
    for (int i = 0; i < ranges.size(); i++) {
      OwnedRange r = ranges.get(i);
      if (r.getEnd() != 0 && Long.compareUnsigned(r.getStart(), r.getEnd()) >= 0) {
        return "owned range " + i + " is empty or reversed";
      }
      for (int j = 0; j < i; j++) {
        OwnedRange o = ranges.get(j);
        boolean disjoint =
            (r.getEnd() != 0 && Long.compareUnsigned(r.getEnd(), o.getStart()) <= 0)
                || (o.getEnd() != 0 && Long.compareUnsigned(o.getEnd(), r.getStart()) <= 0);
        if (!disjoint) {
          return "owned ranges " + j + " and " + i + " overlap";
        }
      }
    }
    return null;
  }
}
