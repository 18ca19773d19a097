package dev.kv.api.placement;

import java.util.ArrayList;
import java.util.List;

/**
 * Which group owns which part of the hash ring, at one epoch. The ranges are sorted, contiguous
 * and cover the whole ring: every hash has exactly one owner (checked on construction). Clients
 * and servers route with it by {@code groupFor(KeyHash.of(key))}; a newer map has a larger epoch.
 *
 * <p>Pure data, no I/O: the server keeps the authoritative copy in its meta group, clients cache
 * one.
 */
public record PlacementMap(long epoch, List<Assignment> assignments) {

  /** One range and the group that owns it. */
  public record Assignment(HashRange range, GroupId group) {}

  public PlacementMap {
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch is " + epoch + "; it must be >= 1");
    }
    assignments = List.copyOf(assignments);
    checkCoversRingExactlyOnce(assignments);
  }

  /** The map of a cluster with a single group owning the whole ring. */
  public static PlacementMap singleGroup(GroupId group) {
    return new PlacementMap(1, List.of(new Assignment(HashRange.WHOLE_RING, group)));
  }

  /** The owner of a hash. */
  public GroupId groupFor(long hash) {
    int lo = 0;
    int hi = assignments.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (Long.compareUnsigned(assignments.get(mid).range().start(), hash) <= 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return assignments.get(lo).group();
  }

  /**
   * A new map, one epoch later, in which the range containing {@code at} is cut in two at
   * {@code at}; the upper part goes to {@code upperOwner}.
   */
  public PlacementMap split(long at, GroupId upperOwner) {
    List<Assignment> next = new ArrayList<>();
    for (Assignment a : assignments) {
      if (a.range().contains(at) && a.range().start() != at) {
        next.add(new Assignment(new HashRange(a.range().start(), at), a.group()));
        next.add(new Assignment(new HashRange(at, a.range().end()), upperOwner));
      } else {
        next.add(a);
      }
    }
    if (next.size() == assignments.size()) {
      throw new IllegalArgumentException(
          "hash " + Long.toUnsignedString(at, 16) + " is already the start of a range");
    }
    return new PlacementMap(epoch + 1, next);
  }

  private static void checkCoversRingExactlyOnce(List<Assignment> assignments) {
    if (assignments.isEmpty()) {
      throw new IllegalArgumentException("a placement map needs at least one range");
    }
    long expectedStart = 0;
    for (int i = 0; i < assignments.size(); i++) {
      HashRange r = assignments.get(i).range();
      if (r.start() != expectedStart) {
        throw new IllegalArgumentException(
            "range " + i + " " + r + " starts at " + Long.toUnsignedString(r.start(), 16)
                + " but the previous range ends at " + Long.toUnsignedString(expectedStart, 16)
                + ": ranges must be contiguous, without gaps or overlaps");
      }
      boolean last = i == assignments.size() - 1;
      if (r.reachesEnd() != last) {
        throw new IllegalArgumentException(
            last
                ? "the last range " + r + " must reach the end of the ring"
                : "range " + i + " " + r + " reaches the end of the ring before the last range");
      }
      expectedStart = r.end();
    }
  }
}
