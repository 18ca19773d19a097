package dev.kv.server.api;

import dev.kv.api.placement.PlacementCodec;
import dev.kv.api.placement.PlacementMap;
import dev.kv.api.v1.Placement;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;

/**
 * The routing error of the contract (cluster.proto): ABORTED, with the node's newer placement map
 * in the binary trailer {@code kv-placement-bin}, so the client refreshes without another call.
 */
public final class RoutingErrors {
  public static final Metadata.Key<Placement> PLACEMENT_TRAILER =
      Metadata.Key.of(
          "kv-placement-bin", ProtoUtils.metadataMarshaller(Placement.getDefaultInstance()));

  private RoutingErrors() {}

  static StatusRuntimeException staleEpoch(long clientEpoch, PlacementMap map) {
    Metadata trailers = new Metadata();
    trailers.put(PLACEMENT_TRAILER, PlacementCodec.toProto(map));
    return Status.ABORTED
        .withDescription("the request was routed with placement epoch " + clientEpoch
            + "; the current epoch is " + map.epoch() + ": refresh the map (it is attached) and"
            + " retry")
        .asRuntimeException(trailers);
  }
}
