package dev.kv.server.raft;

import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;

/**
 * Asks other nodes, on their Raft ports, for the current term of their replica of a group (the
 * client side of {@link RaftTermService}). One channel per peer address, kept open.
 */
final class PeerTerms implements AutoCloseable {
  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          return RaftTermService.readAll(stream);
        }
      };

  /** The call, its request and answer as raw bytes (see RaftTermService for their layout). */
  static final MethodDescriptor<byte[], byte[]> GET_TERM =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(RaftTermService.METHOD)
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(BYTES)
          .build();

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** The peer's current term in {@code group}; fails when it does not answer within the deadline. */
  CompletableFuture<Long> termOf(RaftPeer peer, RaftGroupId group, long deadlineMillis) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("closed"));
    }
    if (peer.getAddress() == null) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("peer " + peer.getId() + " has no address"));
    }
    // Answers complete on the transport thread that read them, and so do the reads a
    // confirmation releases (served from the local replica, non-blocking but for a store being
    // swapped), as the node's KV calls are: a hand-off to a pool thread per answer cost about a
    // tenth of the read throughput at 64 clients on 2 cores.
    ManagedChannel channel =
        channels.computeIfAbsent(
            peer.getAddress(),
            address ->
                ManagedChannelBuilder.forTarget(address).usePlaintext().directExecutor().build());
    if (closed) {
      channel.shutdownNow();
      return CompletableFuture.failedFuture(new IllegalStateException("closed"));
    }
    CompletableFuture<Long> term = new CompletableFuture<>();
    // Outside the caller's gRPC context: a round begins on the thread of a KV call, or of the
    // previous round's answer (which runs in the context of the KV call that began that round),
    // and a call made in a context is cancelled when it ends, here as soon as those reads are
    // answered, before this round's own answers arrive.
    Context.ROOT.run(() -> ClientCalls.asyncUnaryCall(
        channel.newCall(
            GET_TERM,
            // Waits for a channel still (re)connecting, within the deadline, instead of failing
            // at once during gRPC's reconnect backoff after the peer restarted.
            CallOptions.DEFAULT
                .withWaitForReady()
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)),
        RaftTermService.encodeGroup(group),
        new StreamObserver<>() {
          @Override
          public void onNext(byte[] value) {
            try {
              term.complete(RaftTermService.decodeTerm(value));
            } catch (IllegalArgumentException e) {
              term.completeExceptionally(e);
            }
          }

          @Override
          public void onError(Throwable t) {
            term.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            term.completeExceptionally(new IllegalStateException("no term in the answer"));
          }
        }));
    return term;
  }

  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
