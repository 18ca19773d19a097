package dev.kv.server.placement;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.kv.api.placement.ClusterNode;
import dev.kv.api.placement.NodeId;
import dev.kv.api.placement.PlacementCodec;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.v1.NodeInfo;
import dev.kv.api.v1.Placement;
import dev.kv.server.api.GroupAccess;
import dev.kv.statemachine.proto.Command;
import dev.kv.statemachine.proto.CompareAndSet;
import dev.kv.statemachine.proto.Condition;
import dev.kv.statemachine.proto.GetQuery;
import dev.kv.statemachine.proto.Put;
import dev.kv.statemachine.proto.ReadRequest;
import dev.kv.statemachine.proto.ReadResult;
import dev.kv.statemachine.proto.ScanQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The cluster's layout as records in the meta group, which is an ordinary replicated key-value
 * group: key {@code placement} holds the placement map (a {@code kv.v1.Placement}); keys {@code
 * node/<id>} hold the node registry (a {@code kv.v1.NodeInfo} each), which nodes write when they
 * join and operators change when they drain. The map is only ever replaced by compare-and-set on
 * its version, so two controllers can never interleave their changes.
 */
public final class MetaStore {
  static final ByteString MAP_KEY = ByteString.copyFromUtf8("placement");
  static final String NODE_PREFIX = "node/";
  private static final ReadRequest MAP_GET =
      ReadRequest.newBuilder().setGet(GetQuery.newBuilder().setKey(MAP_KEY)).build();

  private final Supplier<GroupAccess> meta;

  /** @param meta this node's current channel into the meta group */
  public MetaStore(Supplier<GroupAccess> meta) {
    this.meta = meta;
  }

  /** The map with the version of its record, for a later compare-and-set. */
  public record VersionedMap(PlacementMap map, long version) {}

  /** The current map (linearizable read); empty before the cluster is bootstrapped. */
  public CompletableFuture<Optional<VersionedMap>> readMap() {
    return meta.get().readLinearizable(MAP_GET).thenApply(MetaStore::toMap);
  }

  /**
   * The map as this node's meta replica has applied it (or the meta leader, where this node has
   * none), without a barrier in the meta log: it may lag the latest map by a replication round.
   * For a node's periodic refresh of its cache, which only ever adopts a newer map; a linearizable
   * read each second from every node would put an entry in the meta log each time.
   */
  public CompletableFuture<Optional<VersionedMap>> readMapAsApplied() {
    return meta.get().readSerializable(MAP_GET).thenApply(MetaStore::toMap);
  }

  private static Optional<VersionedMap> toMap(ReadResult r) {
    if (!r.getGet().getFound()) {
      return Optional.empty();
    }
    return Optional.of(
        new VersionedMap(
            PlacementCodec.fromProto(parse(r.getGet().getValue(), Placement.parser())),
            r.getGet().getVersion()));
  }

  /**
   * Replaces the map if its record still has {@code expectedVersion} (0: if there is none yet).
   * Completes with false when another change came first.
   */
  public CompletableFuture<Boolean> replaceMap(PlacementMap next, long expectedVersion) {
    Condition condition =
        expectedVersion == 0
            ? Condition.newBuilder().setAbsent(true).build()
            : Condition.newBuilder().setVersionEquals(expectedVersion).build();
    Command cas =
        Command.newBuilder()
            .setCompareAndSet(
                CompareAndSet.newBuilder()
                    .setKey(MAP_KEY)
                    .setCondition(condition)
                    .setPutValue(PlacementCodec.toProto(next).toByteString()))
            .build();
    return meta.get().write(cas).thenApply(w -> {
      if (w.result().hasRejected()) {
        throw new IllegalStateException(
            "the meta group refused the map: " + w.result().getRejected().getMessage());
      }
      return w.result().getCompareAndSet().getSucceeded();
    });
  }

  /** Records a node in the registry (adds it, or replaces its entry). */
  public CompletableFuture<Void> register(ClusterNode node) {
    NodeInfo info = PlacementCodec.toProto(node);
    Command put =
        Command.newBuilder()
            .setPut(
                Put.newBuilder()
                    .setKey(ByteString.copyFromUtf8(NODE_PREFIX + node.id().value()))
                    .setValue(info.toByteString()))
            .build();
    return meta.get().write(put).thenAccept(w -> {
      if (w.result().hasRejected()) {
        throw new IllegalStateException(
            "the meta group refused node " + node.id() + ": " + w.result().getRejected().getMessage());
      }
    });
  }

  /** Removes a node from the registry. */
  public CompletableFuture<Void> unregister(NodeId node) {
    Command delete =
        Command.newBuilder()
            .setDelete(
                dev.kv.statemachine.proto.Delete.newBuilder()
                    .setKey(ByteString.copyFromUtf8(NODE_PREFIX + node.value())))
            .build();
    return meta.get().write(delete).thenAccept(w -> { });
  }

  /** Every registered node (linearizable read). */
  public CompletableFuture<List<ClusterNode>> registeredNodes() {
    return scanNodes(ByteString.EMPTY, new ArrayList<>());
  }

  private CompletableFuture<List<ClusterNode>> scanNodes(ByteString after, List<ClusterNode> acc) {
    ReadRequest scan =
        ReadRequest.newBuilder()
            .setScan(
                ScanQuery.newBuilder()
                    .setAfter(after)
                    .setLimit(1000)
                    .setKeyPrefix(ByteString.copyFromUtf8(NODE_PREFIX)))
            .build();
    return meta.get()
        .readLinearizable(scan)
        .thenCompose(
            r -> {
              for (var e : r.getScan().getEntriesList()) {
                acc.add(PlacementCodec.fromProto(parse(e.getValue(), NodeInfo.parser())));
              }
              ByteString next = r.getScan().getResumeAfter();
              return next.isEmpty()
                  ? CompletableFuture.completedFuture(acc)
                  : scanNodes(next, acc);
            });
  }

  private static <T> T parse(ByteString bytes, com.google.protobuf.Parser<T> parser) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("undecodable record in the meta group", e);
    }
  }
}
