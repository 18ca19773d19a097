package dev.kv.server.metrics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

/** The status of every group a Ratis server hosts, read from its divisions; never blocks. */
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
      DivisionInfo info = division.getInfo();
      groups.add(
          new GroupStatus(
              id.toString(),
              info.getLastAppliedIndex(),
              division.getRaftLog().getLastCommittedIndex(),
              info.isLeader()));
    }
    return groups;
  }
}
