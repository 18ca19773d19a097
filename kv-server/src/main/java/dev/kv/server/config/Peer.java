package dev.kv.server.config;

import dev.kv.api.placement.NodeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A member of the cluster as the configuration names it: id and Raft address. */
public record Peer(NodeId id, HostPort raftAddress) {

  /** Parses {@code id=host:port,id=host:port,...}; ids must be unique. */
  public static List<Peer> parseList(String text) {
    List<Peer> peers = new ArrayList<>();
    Set<NodeId> seen = new HashSet<>();
    for (String part : text.split(",")) {
      String item = part.trim();
      if (item.isEmpty()) {
        continue;
      }
      int eq = item.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("peer '" + item + "' is not id=host:port");
      }
      Peer peer =
          new Peer(new NodeId(item.substring(0, eq)), HostPort.parse(item.substring(eq + 1)));
      if (!seen.add(peer.id())) {
        throw new IllegalArgumentException("peer id " + peer.id() + " appears twice in '" + text + "'");
      }
      peers.add(peer);
    }
    if (peers.isEmpty()) {
      throw new IllegalArgumentException("the peer list is empty");
    }
    return List.copyOf(peers);
  }
}
