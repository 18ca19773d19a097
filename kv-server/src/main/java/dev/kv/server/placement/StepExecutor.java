package dev.kv.server.placement;

import dev.kv.api.placement.GroupId;
import dev.kv.api.placement.HashRange;
import dev.kv.api.placement.NodeId;
import dev.kv.api.placement.PlacementMap;
import dev.kv.server.api.Routing;
import dev.kv.server.raft.RaftAdmin;
import dev.kv.server.raft.RaftGroups;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.OwnedRange;
import dev.kv.statemachine.proto.Ownership;
import dev.kv.statemachine.proto.SetOwnership;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the placement controller's steps, one at a time, and logs each. Node addresses come
 * from the map the steps were planned from.
 */
final class StepExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(StepExecutor.class);
  private static final long TRANSFER_TIMEOUT_MS = 10_000;

  private final RaftAdmin admin;
  private final MetaStore metaStore;
  private final Routing routing;
  private final long timeoutMs;

  StepExecutor(RaftAdmin admin, MetaStore metaStore, Routing routing, long timeoutMs) {
    this.admin = admin;
    this.metaStore = metaStore;
    this.routing = routing;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Executes one step planned from {@code base} (null before bootstrap) whose record has version
   * {@code baseVersion}. Returns false when the step no longer applies (the map changed first).
   */
  boolean execute(Step step, PlacementMap base, long baseVersion) throws Exception {
    LOG.info("placement step: {}", describe(step));
    if (step instanceof Step.WriteMap w) {
      boolean written =
          metaStore.replaceMap(w.next(), baseVersion).get(timeoutMs, TimeUnit.MILLISECONDS);
      if (!written) {
        LOG.info("placement map changed meanwhile; replanning");
        return false;
      }
    } else if (step instanceof Step.CreateReplica c) {
      admin.createReplica(
          peer(base, c.node()), RaftGroups.group(c.group(), peers(base, c.members())));
    } else if (step instanceof Step.AssignRanges a) {
      assignRanges(a.group(), a.epoch(), a.ranges());
    } else if (step instanceof Step.ChangeMembers m) {
      admin.setMembers(
          RaftGroups.group(m.group(), peers(base, m.fromVoters())),
          peers(base, m.voters()),
          peers(base, m.listeners()));
    } else if (step instanceof Step.DeleteReplica d) {
      admin.removeReplica(peer(base, d.node()), RaftGroups.idOf(d.group()));
    } else if (step instanceof Step.TransferLeader t) {
      admin.transferLeadership(
          RaftGroups.group(t.group(), peers(base, base.group(t.group()).orElseThrow().replicas())),
          RaftGroups.peerId(t.node()),
          TRANSFER_TIMEOUT_MS);
    }
    return true;
  }

  private void assignRanges(GroupId group, long epoch, List<HashRange> ranges) throws Exception {
    Ownership.Builder ownership = Ownership.newBuilder().setEpoch(epoch);
    for (HashRange r : ranges) {
      ownership.addRanges(OwnedRange.newBuilder().setStart(r.start()).setEnd(r.end()));
    }
    Command command =
        Command.newBuilder()
            .setSetOwnership(SetOwnership.newBuilder().setOwnership(ownership))
            .build();
    var result = routing.group(group).write(command).get(timeoutMs, TimeUnit.MILLISECONDS);
    if (result.result().hasRejected()) {
      throw new IOException(
          "group " + group + " refused its ranges: " + result.result().getRejected().getMessage());
    }
  }

  private static RaftPeer peer(PlacementMap map, NodeId node) {
    return RaftGroups.peer(
        map.node(node).orElseThrow(() -> new IllegalStateException("no node " + node + " in map")));
  }

  private static List<RaftPeer> peers(PlacementMap map, List<NodeId> nodes) {
    return nodes.stream().map(n -> peer(map, n)).toList();
  }

  static String describe(Step step) {
    if (step instanceof Step.WriteMap w) {
      return "write placement map epoch " + w.next().epoch() + " (" + w.reason() + ")";
    } else if (step instanceof Step.CreateReplica c) {
      return "create replica of " + c.group() + " on " + c.node() + " with members " + c.members();
    } else if (step instanceof Step.AssignRanges a) {
      return "assign " + a.group() + " ranges " + a.ranges() + " at epoch " + a.epoch();
    } else if (step instanceof Step.ChangeMembers m) {
      return "members of " + m.group() + ": voters " + m.fromVoters() + " -> " + m.voters()
          + ", listeners " + m.listeners() + " (" + m.reason() + ")";
    } else if (step instanceof Step.DeleteReplica d) {
      return "delete replica of " + d.group() + " on " + d.node();
    } else if (step instanceof Step.TransferLeader t) {
      return "transfer leadership of " + t.group() + " to " + t.node();
    }
    return step.toString();
  }
}
