package dev.kv.server.api;

import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.PlacementMap;

/** How the API finds the group that owns a key, and reaches it. */
public interface Routing {
  /**
   * This node's current placement map; throws {@link NotServingException} before the cluster
   * has one (still bootstrapping).
   */
  PlacementMap placement();

  /** Asks for a fresh map from the meta group soon (a request showed ours is stale). */
  void refreshPlacement();

  /** Access to a group of the current map. */
  GroupAccess group(GroupId group);
}
