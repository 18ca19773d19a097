package dev.kv.server.placement;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kv.server.config.NodeConfig;
import dev.kv.server.config.Peer;
import dev.kv.server.raft.RaftAdmin;
import dev.kv.server.raft.RaftGroups;
import dev.kv.server.raft.RaftPropertiesMapper;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a seed may create its meta replica from the seed list. It may when it has one
 * on disk (Ratis recovers it), or when the other seeds have no placement map yet (a new cluster).
 * A seed whose disk was wiped while its cluster lives must not: an empty replica formatted as a
 * voter could vote for a candidate that lacks committed entries. It starts without one, like a
 * joining node, and the placement controller replaces the lost replica with a fresh one that
 * catches up before it votes.
 *
 * <p>Limit: the probe needs the other seeds' meta group to answer within a few seconds. A wiped
 * seed restarted while the others have no meta leader (all down, or still electing one after it
 * led) cannot tell, and formats.
 */
public final class MetaGroupProbe {
  private static final Logger LOG = LoggerFactory.getLogger(MetaGroupProbe.class);
  private MetaGroupProbe() {}

  public static boolean mayFormatMeta(NodeConfig config) {
    Path replica =
        RaftPropertiesMapper.storageDir(config)
            .resolve(RaftGroups.idOf(RaftGroups.META).getUuid().toString());
    if (Files.isDirectory(replica)) {
      return true;
    }
    List<Peer> others = config.peers().stream().filter(p -> !p.id().equals(config.nodeId())).toList();
    if (others.isEmpty()) {
      return true;
    }
    if (othersHaveAMap(config, others)) {
      LOG.warn("{}: no meta replica on disk, but the cluster exists (its meta group holds a"
          + " placement map): this node lost its data. Starting without a meta replica; the"
          + " placement controller will add a fresh one that catches up first.", config.nodeId());
      return false;
    }
    return true;
  }

  /** Whether the other seeds' meta group answers with a placement map; false when none answers. */
  private static boolean othersHaveAMap(NodeConfig config, List<Peer> others) {
    ReadRequest get =
        ReadRequest.newBuilder().setGet(GetQuery.newBuilder().setKey(MetaStore.MAP_KEY)).build();
    try (RaftClient client =
        RaftAdmin.client(
            config,
            RaftGroups.meta(others),
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                3, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS)))) {
      RaftClientReply reply =
          client.io().sendReadOnlyNonLinearizable(
              Message.valueOf(UnsafeByteOperations.unsafeWrap(get.toByteArray())));
      if (!reply.isSuccess()) {
        return false;
      }
      ReadResult result = ReadResult.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
      return result.hasGet() && result.getGet().getFound();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the other seeds answered with an unreadable reply", e);
    } catch (Exception e) {
      // No quorum of the other seeds answered: a new cluster whose seeds are still starting, or
      // one whose other seeds are down. Either way nobody can show a map.
      LOG.info("{}: the other seeds show no placement map ({}); treating the cluster as new",
          config.nodeId(), e.getClass().getSimpleName());
      return false;
    }
  }
}
