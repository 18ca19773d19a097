package dev.kv.server.raft;

import dev.kv.server.config.NodeConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** The one place where {@link NodeConfig} becomes Ratis' string-keyed {@link RaftProperties}. */
public final class RaftPropertiesMapper {
  private RaftPropertiesMapper() {}

  /** Where the Ratis server keeps its groups: one directory per group, named by its UUID. */
  public static Path storageDir(NodeConfig config) {
    return config.dataDir().resolve("raft");
  }

  public static RaftProperties serverProperties(NodeConfig config) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(storageDir(config).toFile()));
    RaftServerConfigKeys.setRemovedGroupsDir(p, new File(config.dataDir().toFile(), "raft-removed"));
    GrpcConfigKeys.Server.setHost(p, config.raftAddress().host());
    GrpcConfigKeys.Server.setPort(p, config.raftAddress().port());

    var raft = config.raft();
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(raft.electionTimeoutMin().toMillis()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(raft.electionTimeoutMax().toMillis()));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, millis(raft.requestTimeout().toMillis()));

    // Ratis' default read option is not linearizable; ReadIndex is.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setTimeout(p, millis(config.requestTimeout().toMillis()));
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, false);

    var log = config.raftLog();
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, log.snapshotEveryEntries());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    // Followers behind the purged log catch up by snapshot install, so purge need not wait.
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, log.snapshotEveryEntries()));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(log.segmentSizeBytes()));
    // By default a Ratis 3.3.0 leader appends a METADATA entry (the new commit index) to the log
    // each time its commit index advances: a second entry, replicated and fsynced like a write,
    // for every batch of writes (one put made two log entries). It only lets a restarted node
    // know its commit index before it hears from a leader. Raft keeps the commit index volatile
    // (etcd persists it in the same fsync as the entries, not as an entry), and a restarted
    // replica learns it from the leader's next appendEntries, so kvd leaves it off.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    // Ratis keeps up to 6 closed segments (up to 200 MB) of entries on the heap per group. With
    // 9 groups on a node and 64 KiB writes that filled a 512 MB heap: GC pauses of 0.5-0.8 s,
    // and the node lost its leaderships. One closed segment per group is kept; a follower that
    // needs older entries is sent them from disk.
    RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, 1);
    RaftServerConfigKeys.Log.setSegmentCacheSizeMax(
        p, SizeInBytes.valueOf(2 * log.segmentSizeBytes()));
    // A snapshot stream that fails at once (follower still down) is only noticed when the
    // leader's window of unacknowledged chunks is full and each waits out the request timeout:
    // 8 x 3 s by default. Two chunks of about 1 MiB (below) per round trip still fill a LAN link.
    GrpcConfigKeys.Server.setInstallSnapshotRequestElementLimit(p, 2);
    // Append each appendEntries request on its own, not composed onto one future chain per
    // follower (Ratis 3.3.0 default). With composition, a follower that accepted entries still
    // being written when a snapshot install lands (the leader's retransmitted appendEntries after
    // a partition heals or a paused process resumes; a slow disk) never appends again:
    // SegmentedRaftLog.onSnapshotInstalled -> SegmentedRaftLogWorker.syncWithSnapshot clears the
    // write queue without completing the dropped writes' futures, and every later append waits
    // behind them in RaftServerImpl's NavigableIndices chain; or a chained append that runs after
    // the install fails RaftLogBase.validateLogEntry ("Difference between entry index and
    // RaftLog's latest snapshot index ...") and fails the chain, and every later append with it.
    // Uncomposed, such a request fails or hangs alone and the leader's retry heals it.
    RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, false);

    // The largest entry must fit the appender buffer, which must fit the log write buffer; both
    // are per group, so they are sized to the entry limit rather than left at 8 MB.
    int maxEntry = NodeConfig.maxMessageBytes(config.limits());
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(maxEntry));
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(maxEntry + 64L * 1024));
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(maxEntry + 1024L * 1024));
    // A snapshot is sent in chunks of at most this many bytes of file data, each one gRPC
    // message. Ratis' 16 MB default exceeds the message limit above, so any snapshot holding a
    // RocksDB file over ~2 MiB was refused by every follower (RESOURCE_EXHAUSTED) forever.
    RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SizeInBytes.valueOf(maxEntry));
    return p;
  }

  public static RaftProperties clientProperties(NodeConfig config) {
    RaftProperties p = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, millis(config.raft().requestTimeout().toMillis()));
    RaftClientConfigKeys.Async.setOutstandingRequestsMax(p, 1000);
    GrpcConfigKeys.setMessageSizeMax(
        p, SizeInBytes.valueOf(NodeConfig.maxMessageBytes(config.limits()) + 1024L * 1024));
    return p;
  }

  private static TimeDuration millis(long ms) {
    return TimeDuration.valueOf(ms, TimeUnit.MILLISECONDS);
  }
}
