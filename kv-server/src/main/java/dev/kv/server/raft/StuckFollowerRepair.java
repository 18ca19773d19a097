package dev.kv.server.raft;

import com.codahale.metrics.Counter;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On this node, for every group it leads: samples what the leader sees of its followers and, when
 * {@link StuckFollowerWatch} finds a follower stuck, steps down so that a new leader (with fresh
 * follower indices) repairs it. Owns its sampling thread; never touches groups it does not lead.
 */
final class StuckFollowerRepair implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StuckFollowerRepair.class);
  private static final Duration EVERY = Duration.ofSeconds(5);
  private static final Duration STALL = Duration.ofSeconds(30);
  private static final Duration ANSWERING = Duration.ofSeconds(5);
  private static final long STEP_DOWN_TIMEOUT_MS = 10_000;

  private final RaftServer server;
  private final Function<RaftGroup, RaftClient> clients;
  private final Counter stepDowns;
  private final Map<RaftGroupId, StuckFollowerWatch> watches = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sampler = Daemons.singleThread("kv-stuck-follower-watch");

  StuckFollowerRepair(RaftServer server,
      Function<RaftGroup, RaftClient> clients, Counter stepDowns) {
    this.server = server;
    this.clients = clients;
    this.stepDowns = stepDowns;
  }

  void start() {
    sampler.scheduleWithFixedDelay(this::sampleAll, EVERY.toMillis(), EVERY.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void sampleAll() {
    try {
      for (RaftGroupId id : server.getGroupIds()) {
        sample(id);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("stuck follower watch: {}", e.toString());
    }
  }

  private void sample(RaftGroupId id) throws IOException {
    RaftServer.Division division = server.getDivision(id);
    if (!division.getInfo().isLeaderReady()) {
      watches.remove(id);
      return;
    }
    String self = server.getId().toString();
    Map<String, Long> commits = new HashMap<>();
    for (CommitInfoProto c : division.getCommitInfos()) {
      String peer = c.getServer().getId().toStringUtf8();
      if (!peer.equals(self)) {
        commits.put(peer, c.getCommitIndex());
      }
    }
    Map<String, Long> replyAgo = new HashMap<>();
    for (ServerRpcProto f : division.getInfo().getRoleInfoProto().getLeaderInfo()
        .getFollowerInfoList()) {
      replyAgo.put(f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs());
    }
    var sample = new StuckFollowerWatch.Sample(division.getInfo().getCurrentTerm(),
        division.getRaftLog().getLastCommittedIndex(), commits, replyAgo);
    Optional<String> stuck = watches.computeIfAbsent(id, k -> new StuckFollowerWatch(STALL,
        ANSWERING)).observe(System.nanoTime(), sample);
    if (stuck.isPresent()) {
      LOG.warn("{}: {}; stepping down so that a new leader repairs it", id, stuck.get());
      watches.remove(id);
      stepDowns.inc();
      try (RaftClient client = clients.apply(division.getGroup())) {
        // No new leader named: this leader steps down and the others elect one.
        client.admin().transferLeadership(null, RaftPeerId.valueOf(self), STEP_DOWN_TIMEOUT_MS);
      }
    }
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
