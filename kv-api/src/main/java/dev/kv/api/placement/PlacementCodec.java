package dev.kv.api.placement;

import dev.kv.api.v1.GroupReplicas;
import dev.kv.api.v1.NodeInfo;
import dev.kv.api.v1.Placement;
import dev.kv.api.v1.RangeAssignment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Converts between {@link PlacementMap} and its wire form, {@code kv.v1.Placement}. */
public final class PlacementCodec {
  private PlacementCodec() {}

  /** The wire form, with the given leader hints (group -> node) where known. */
  public static Placement toProto(PlacementMap map, Map<GroupId, NodeId> leaderHints) {
    Placement.Builder out = Placement.newBuilder().setEpoch(map.epoch());
    for (PlacementMap.Assignment a : map.assignments()) {
      out.addRanges(
          RangeAssignment.newBuilder()
              .setStart(a.range().start())
              .setEnd(a.range().end())
              .setGroupId(a.group().value()));
    }
    for (GroupPlacement g : map.groups()) {
      GroupReplicas.Builder group = GroupReplicas.newBuilder().setGroupId(g.id().value());
      g.replicas().forEach(r -> group.addReplicas(r.value()));
      NodeId leader = leaderHints.get(g.id());
      if (leader != null) {
        group.setLeaderHint(leader.value());
      }
      out.addGroups(group);
    }
    for (ClusterNode n : map.nodes()) {
      out.addNodes(toProto(n));
    }
    return out.build();
  }

  public static NodeInfo toProto(ClusterNode n) {
    return NodeInfo.newBuilder()
        .setNodeId(n.id().value())
        .setApiAddress(n.apiAddress())
        .setRaftAddress(n.raftAddress())
        .setState(
            n.state() == NodeState.DRAINING
                ? dev.kv.api.v1.NodeState.DRAINING
                : dev.kv.api.v1.NodeState.ACTIVE)
        .build();
  }

  public static Placement toProto(PlacementMap map) {
    return toProto(map, Map.of());
  }

  /** Parses the wire form; throws IllegalArgumentException when it is not a valid map. */
  public static PlacementMap fromProto(Placement p) {
    List<PlacementMap.Assignment> assignments = new ArrayList<>();
    for (RangeAssignment r : p.getRangesList()) {
      assignments.add(
          new PlacementMap.Assignment(
              new HashRange(r.getStart(), r.getEnd()), new GroupId(r.getGroupId())));
    }
    List<GroupPlacement> groups = new ArrayList<>();
    for (GroupReplicas g : p.getGroupsList()) {
      groups.add(
          new GroupPlacement(
              new GroupId(g.getGroupId()), g.getReplicasList().stream().map(NodeId::new).toList()));
    }
    List<ClusterNode> nodes = new ArrayList<>();
    for (NodeInfo n : p.getNodesList()) {
      nodes.add(fromProto(n));
    }
    return new PlacementMap(p.getEpoch(), assignments, groups, nodes);
  }

  public static ClusterNode fromProto(NodeInfo n) {
    return new ClusterNode(
        new NodeId(n.getNodeId()),
        n.getApiAddress(),
        n.getRaftAddress(),
        n.getState() == dev.kv.api.v1.NodeState.DRAINING ? NodeState.DRAINING : NodeState.ACTIVE);
  }
}
