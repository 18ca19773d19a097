package dev.kv.server.raft;

import dev.kv.api.placement.ClusterNode;
import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.NodeId;
import dev.kv.server.config.Peer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Names of groups and peers in Ratis' terms. A group's Ratis id is derived from its name, so every
 * node computes the same id without asking; the reverse mapping is remembered for every name
 * seen.
 */
public final class RaftGroups {
  /** The meta group: holds the placement map and the node registry; owns no part of the ring. */
  public static final GroupId META = new GroupId("meta");

  private static final Map<RaftGroupId, GroupId> NAMES = new ConcurrentHashMap<>();

  private RaftGroups() {}

  public static RaftGroupId idOf(GroupId group) {
    RaftGroupId id =
        RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes(("kv-group:" + group.value()).getBytes(StandardCharsets.UTF_8)));
    NAMES.putIfAbsent(id, group);
    return id;
  }

  /**
   * Remembers {@code group}'s name, so that {@link #nameOf} knows it: a node must name every group
   * of its placement map, since another node may create a replica of one here (Ratis group add)
   * before anything on this node has used that group.
   */
  public static void learnName(GroupId group) {
    idOf(group);
  }

  /** The name of a Ratis group id whose name this process has seen. */
  public static Optional<GroupId> nameOf(RaftGroupId id) {
    idOf(META);
    return Optional.ofNullable(NAMES.get(id));
  }

  public static RaftPeerId peerId(NodeId node) {
    return RaftPeerId.valueOf(node.value());
  }

  public static RaftPeer peer(NodeId node, String raftAddress) {
    return RaftPeer.newBuilder().setId(peerId(node)).setAddress(raftAddress).build();
  }

  public static RaftPeer peer(ClusterNode node) {
    return peer(node.id(), node.raftAddress());
  }

  public static RaftPeer peer(Peer peer) {
    return peer(peer.id(), peer.raftAddress().toString());
  }

  /** The meta group as the seed peer list defines it. */
  public static RaftGroup meta(List<Peer> seeds) {
    return RaftGroup.valueOf(idOf(META), seeds.stream().map(RaftGroups::peer).toList());
  }

  /**
   * Whether two peer lists name the same peers at the same addresses, in any order. ({@link
   * RaftPeer#equals} compares ids only, which would miss a node that moved.)
   */
  public static boolean samePeers(List<RaftPeer> a, List<RaftPeer> b) {
    return addresses(a).equals(addresses(b));
  }

  private static java.util.Set<String> addresses(List<RaftPeer> peers) {
    java.util.Set<String> out = new java.util.HashSet<>();
    peers.forEach(p -> out.add(p.getId() + "@" + p.getAddress()));
    return out;
  }

  public static RaftGroup group(GroupId group, List<RaftPeer> peers) {
    return RaftGroup.valueOf(idOf(group), peers);
  }
}
