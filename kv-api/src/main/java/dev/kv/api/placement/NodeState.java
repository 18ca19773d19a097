package dev.kv.api.placement;

/** Whether a node takes replicas. */
public enum NodeState {
  /** Takes replicas. */
  ACTIVE,
  /** Being emptied: takes no new replicas; the placement controller moves its replicas away. */
  DRAINING
}
