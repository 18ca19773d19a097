package dev.kv.server;

import dev.kv.api.v1.Placement;
import dev.kv.api.v1.PutRequest;
import dev.kv.server.api.RoutingErrors;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches what an SDK client sends and gets back, as a channel interceptor: the routing epoch of
 * every put it sends, and every routing error (ABORTED) it receives with the map attached. For
 * tests of the client's side of routing, against real nodes.
 */
final class RoutingRecorder implements ClientInterceptor {
  /** The routing_epoch of each PutRequest sent, in order. */
  final List<Long> putEpochs = new CopyOnWriteArrayList<>();

  /** The epoch of the map attached to each routing error received, in order. */
  final List<Long> routingErrorEpochs = new CopyOnWriteArrayList<>();

  /** A channel to {@code target} that this recorder watches: a KvClient channel factory. */
  ManagedChannel channel(String target) {
    return ManagedChannelBuilder.forTarget(target).usePlaintext().intercept(this).build();
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void sendMessage(Q message) {
        if (message instanceof PutRequest put) {
          putEpochs.add(put.getRoutingEpoch());
        }
        super.sendMessage(message);
      }

      @Override
      public void start(Listener<R> listener, Metadata headers) {
        super.start(
            new SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                if (status.getCode() == Status.Code.ABORTED
                    && trailers.containsKey(RoutingErrors.PLACEMENT_TRAILER)) {
                  Placement attached = trailers.get(RoutingErrors.PLACEMENT_TRAILER);
                  routingErrorEpochs.add(attached.getEpoch());
                }
                super.onClose(status, trailers);
              }
            },
            headers);
      }
    };
  }
}
