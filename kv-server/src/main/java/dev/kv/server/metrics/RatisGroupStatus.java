package dev.kv.server.metrics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import dev.kv.api.placement.GroupId;
import dev.kv.server.raft.RaftGroups;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

/**
 * The status of every group a Ratis server hosts, named as in the placement map (meta, data-3),
 * read from its divisions; never blocks.
 */
public final class RatisGroupStatus implements GroupStatusSource {
  private final RaftServer server;

  public RatisGroupStatus(RaftServer server) {
    this.server = server;
  }

  @Override
  public Collection<GroupStatus> groups() {
    List<GroupStatus> groups = new ArrayList<>();
    for (RaftGroupId id : server.getGroupIds()) {
      RaftServer.Division division;
      try {
        division = server.getDivision(id);
      } catch (IOException e) {
        continue; // removed (or closing) since getGroupIds: nothing to report
      }
      Optional<GroupId> name = RaftGroups.nameOf(id);
      if (name.isEmpty()) {
        continue; // a group this process never named: not one of ours
      }
      DivisionInfo info = division.getInfo();
      groups.add(
          new GroupStatus(
              name.get().value(),
              info.getLastAppliedIndex(),
              division.getRaftLog().getLastCommittedIndex(),
              info.isLeader()));
    }
    return groups;
  }
}
