package dev.kv.server.metrics;

import java.util.Objects;

/**
 * What a node's replica of one Raft group reports for monitoring.
 *
 * @param group the group's id as operators see it (e.g. Ratis' {@code group-386199C843B1})
 * @param appliedIndex the last log index this replica has applied to its state machine
 * @param commitIndex the last log index this replica knows to be committed
 * @param leader whether this replica leads the group right now
 */
public record GroupStatus(String group, long appliedIndex, long commitIndex, boolean leader) {
  public GroupStatus {
    Objects.requireNonNull(group, "group");
  }
}
