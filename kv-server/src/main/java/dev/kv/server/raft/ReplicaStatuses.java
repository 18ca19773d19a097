package dev.kv.server.raft;

import dev.kv.api.v1.NodeStatus;
import dev.kv.api.v1.RangeAssignment;
import dev.kv.api.v1.ReplicaStatus;
import dev.kv.server.api.NotServingException;
import dev.kv.statemachine.ratis.KvStateMachine;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;

/** What this node's replicas look like right now, for status and the placement controller. */
public final class ReplicaStatuses {
  private ReplicaStatuses() {}

  /**
   * @throws NotServingException when this node hosts a replica it cannot name yet: an incomplete
   *     status must not be taken for the whole truth
   */
  public static NodeStatus of(RaftNode node) {
    NodeStatus.Builder out = NodeStatus.newBuilder().setNodeId(node.config().nodeId().value());
    for (RaftServer.Division division : node.replicas()) {
      var name = RaftGroups.nameOf(division.getGroup().getGroupId());
      if (name.isEmpty()) {
        // Names are learned from the placement map: a restarted node hosts replicas it cannot
        // name until it has one. A status without them would tell the controller they are lost.
        throw new NotServingException("this node cannot name its replica "
            + division.getGroup().getGroupId() + " yet (no placement map); retry");
      }
      var info = division.getInfo();
      ReplicaStatus.Builder r =
          ReplicaStatus.newBuilder()
              .setGroupId(name.get().value())
              .setRole(info.getCurrentRole().name())
              .setTerm(info.getCurrentTerm())
              .setCommitIndex(division.getRaftLog().getLastCommittedIndex())
              .setAppliedIndex(info.getLastAppliedIndex())
              .setLogStartIndex(Math.max(0, division.getRaftLog().getStartIndex()));
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
