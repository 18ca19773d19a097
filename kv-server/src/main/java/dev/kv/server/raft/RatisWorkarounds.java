package dev.kv.server.raft;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;

/**
 * Counts how often kvd's workarounds for Ratis 3.3.0 bugs act (docs/RATIS-WORKAROUNDS.md), so
 * production tells whether one still fires before it is removed. Exported with the node's
 * metrics as {@code kv_ratis_workaround_*_total}.
 */
public final class RatisWorkarounds {
  private final MetricRegistry registry = new MetricRegistry();
  private final Counter stuckFollowerStepDowns =
      registry.counter("stuck_follower_step_downs");
  private final Counter failedTransferStepDowns =
      registry.counter("failed_transfer_step_downs");
  private final Counter readIndexFallbacks = registry.counter("read_index_fallbacks");

  /** A leader stepped down so that a new one repairs a follower stuck behind its match index. */
  Counter stuckFollowerStepDowns() {
    return stuckFollowerStepDowns;
  }

  /** A leader was asked to step down after a failed transfer left it refusing writes. */
  Counter failedTransferStepDowns() {
    return failedTransferStepDowns;
  }

  /**
   * A batch of linearizable reads at a leader waited for a barrier log entry because kvd's own
   * ReadIndex (which replaces Ratis') could not confirm the leadership: voters down or slow, a
   * newer term, or a leader not yet ready. Rising steadily, it means reads pay a log write.
   */
  Counter readIndexFallbacks() {
    return readIndexFallbacks;
  }

  public MetricRegistry registry() {
    return registry;
  }
}
