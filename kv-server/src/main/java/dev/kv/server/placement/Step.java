package dev.kv.server.placement;

import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.HashRange;
import dev.kv.api.placement.NodeId;
import dev.kv.api.placement.PlacementMap;
import java.util.List;

/**
 * One action of the placement controller. Steps are data: the planner decides them from the map
 * and what it observes, the executor carries them out and logs each, and tests compare them.
 */
public sealed interface Step {

  /** Replaces the placement map (compare-and-set on the version it was planned from). */
  record WriteMap(PlacementMap next, String reason) implements Step {}

  /**
   * Creates a replica of {@code group} on {@code node}, starting with {@code members} as the
   * group's membership. The only way a replica comes into existence.
   */
  record CreateReplica(GroupId group, NodeId node, List<NodeId> members) implements Step {}

  /** Tells a group which ranges it owns, as of placement epoch {@code epoch}. */
  record AssignRanges(GroupId group, long epoch, List<HashRange> ranges) implements Step {}

  /**
   * Changes a group's membership (joint consensus) from {@code fromVoters} to these voters and
   * listeners: adds a replica as a voter (Ratis catches it up first), or drops members.
   */
  record ChangeMembers(
      GroupId group, List<NodeId> fromVoters, List<NodeId> voters, List<NodeId> listeners,
      String reason) implements Step {}

  /** Deletes {@code node}'s replica of a group it is no longer a member of. */
  record DeleteReplica(GroupId group, NodeId node) implements Step {}

  /** Moves a group's leadership to {@code node}. */
  record TransferLeader(GroupId group, NodeId node) implements Step {}
}
