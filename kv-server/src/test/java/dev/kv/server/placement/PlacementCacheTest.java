package dev.kv.server.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.api.placement.ClusterNode;
import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.GroupPlacement;
import dev.kv.api.placement.NodeId;
import dev.kv.api.placement.PlacementMap;
import dev.kv.server.raft.RaftGroups;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;

class PlacementCacheTest {

  /**
   * A replica that another node creates here (Ratis group add) is known to this process only by
   * its Ratis id; the node's status names its replicas, so adopting a map must teach it the name
   * of every group in it. (In one JVM every node shares the names, so only a real multi-process
   * cluster showed this: a joining node's replicas were missing from its status, and the
   * placement controller created the same replica again and again.)
   */
  @Test
  void adoptingAMapNamesEveryGroupInIt() {
    GroupId group = new GroupId("data-999"); // named nowhere else
    RaftGroupId ratisId = RaftGroupId.valueOf(
        UUID.nameUUIDFromBytes(("kv-group:" + group.value()).getBytes(StandardCharsets.UTF_8)));
    assertThat(RaftGroups.nameOf(ratisId)).isEmpty();

    List<ClusterNode> nodes = List.of(PlannerTest.node(1));
    PlacementMap map = PlacementMap.evenly(1,
        List.of(new GroupPlacement(group, List.of(new NodeId("n1")))),
        List.of(new GroupPlacement(RaftGroups.META, List.of(new NodeId("n1")))), nodes);
    try (PlacementCache cache = new PlacementCache(null, List.of())) {
      cache.adopt(map);
    }

    assertThat(RaftGroups.nameOf(ratisId)).contains(group);
  }
}
