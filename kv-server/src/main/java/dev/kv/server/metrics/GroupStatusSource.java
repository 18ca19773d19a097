package dev.kv.server.metrics;

import java.util.Collection;

/**
 * The groups a node hosts, read at every scrape; groups come and go as placement moves replicas.
 * {@link RatisGroupStatus} reads them from a Ratis server.
 */
@FunctionalInterface
public interface GroupStatusSource {
  /** The current status of every group replica on this node; must not block for long. */
  Collection<GroupStatus> groups();
}
