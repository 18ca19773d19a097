package dev.kv.server.raft;

import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.PlacementMap;
import dev.kv.server.config.Peer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * The single data group of this version: it owns the whole ring ({@link #PLACEMENT}) and every
 * configured peer is a replica. Its Ratis id is derived from its name so every node computes the
 * same one.
 */
public final class DataGroup {
  public static final GroupId GROUP = new GroupId("data-0");
  public static final String NAME = GROUP.value();
  public static final PlacementMap PLACEMENT = PlacementMap.singleGroup(GROUP);
  public static final RaftGroupId ID =
      RaftGroupId.valueOf(
          UUID.nameUUIDFromBytes(("kv-group:" + NAME).getBytes(StandardCharsets.UTF_8)));

  private DataGroup() {}

  public static RaftGroup of(List<Peer> peers) {
    return RaftGroup.valueOf(ID, peers.stream().map(DataGroup::toRaftPeer).toList());
  }

  static RaftPeer toRaftPeer(Peer peer) {
    return RaftPeer.newBuilder()
        .setId(RaftPeerId.valueOf(peer.id().value()))
        .setAddress(peer.raftAddress().toString())
        .build();
  }
}
