package dev.kv.server.raft;

import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.RangeAssignment;
import dev.kv.api.v1.ReplicaStatus;
import dev.kv.statemachine.ratis.KvStateMachine;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;

/** What this node's replicas look like right now, for status and the placement controller. */
public final class ReplicaStatuses {
  private ReplicaStatuses() {}

  public static NodeStatus of(RaftNode node) {
    NodeStatus.Builder out = NodeStatus.newBuilder().setNodeId(node.config().nodeId().value());
    for (RaftServer.Division division : node.replicas()) {
      var name = RaftGroups.nameOf(division.getGroup().getGroupId());
      if (name.isEmpty()) {
        continue; // a group this process never named: not one of ours
      }
      var info = division.getInfo();
      ReplicaStatus.Builder r =
          ReplicaStatus.newBuilder()
              .setGroupId(name.get().value())
              .setRole(info.getCurrentRole().name())
              .setTerm(info.getCurrentTerm())
              .setCommitIndex(division.getRaftLog().getLastCommittedIndex())
              .setAppliedIndex(info.getLastAppliedIndex());
      if (info.getLeaderId() != null) {
        r.setLeader(info.getLeaderId().toString());
      }
      var conf = division.getRaftConf();
      for (RaftPeer p : conf.getCurrentPeers()) {
        r.addVoters(p.getId().toString());
      }
      for (RaftPeer p : conf.getCurrentPeers(org.apache.ratis.proto.RaftProtos.RaftPeerRole.LISTENER)) {
        r.addListeners(p.getId().toString());
      }
      if (division.getStateMachine() instanceof KvStateMachine sm) {
        sm.replicaState().ifPresent(state -> {
          r.setOwnershipEpoch(state.ownership().getEpoch());
          for (var range : state.ownership().getRangesList()) {
            r.addOwnedRanges(
                RangeAssignment.newBuilder().setStart(range.getStart()).setEnd(range.getEnd())
                    .setGroupId(name.get().value()));
          }
        });
      }
      out.addReplicas(r);
    }
    return out.build();
  }
}
