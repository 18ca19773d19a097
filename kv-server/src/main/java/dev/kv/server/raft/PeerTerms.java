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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;

/**
 * Asks other nodes, on their Raft ports, for the current term of their replicas of groups (the
 * client side of {@link RaftTermService}). One channel per peer address, kept open.
 *
 * <p>One call per peer is in flight at a time; the questions asked meanwhile, for any of the
 * groups this node leads, go together in the next call, which is sent after they were asked, as
 * a ReadIndex round needs. A node leading many groups so asks each peer about all of them at the
 * cost of one call, where a call per group and round cost more CPU than the reads it confirmed.
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
  static final MethodDescriptor<byte[], byte[]> GET_TERMS =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(RaftTermService.METHOD)
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(BYTES)
          .build();

  private final long deadlineMillis;
  private final Map<String, Peer> peers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param deadlineMillis how long a call waits for a peer's answer
   */
  PeerTerms(long deadlineMillis) {
    this.deadlineMillis = deadlineMillis;
  }

  /**
   * The peer's current term in {@code group}, from a call sent after this one; fails when the peer
   * does not answer within the deadline, or hosts no replica of the group.
   */
  CompletableFuture<Long> termOf(RaftPeer peer, RaftGroupId group) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("closed"));
    }
    if (peer.getAddress() == null) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("peer " + peer.getId() + " has no address"));
    }
    Peer to = peers.computeIfAbsent(peer.getAddress(), Peer::new);
    if (closed) {
      to.channel.shutdownNow();
      return CompletableFuture.failedFuture(new IllegalStateException("closed"));
    }
    return to.ask(group);
  }

  @Override
  public void close() {
    closed = true;
    peers.values().forEach(p -> p.channel.shutdownNow());
  }

  /** The questions to one peer address. */
  private final class Peer {
    private final String address;
    private final ManagedChannel channel;
    /** Asked and not sent yet: the next call asks each group once and answers every asker. */
    private Map<RaftGroupId, List<CompletableFuture<Long>>> waiting = new LinkedHashMap<>();
    private boolean inFlight;

    Peer(String address) {
      this.address = address;
      // Answers complete on the transport thread that read them, and so do the reads a
      // confirmation releases (served from the local replica, non-blocking but for a store
      // being swapped), as the node's KV calls are: a hand-off to a pool thread per answer cost
      // about a tenth of the read throughput at 64 clients on 2 cores.
      this.channel =
          ManagedChannelBuilder.forTarget(address).usePlaintext().directExecutor().build();
    }

    CompletableFuture<Long> ask(RaftGroupId group) {
      CompletableFuture<Long> term = new CompletableFuture<>();
      synchronized (this) {
        waiting.computeIfAbsent(group, g -> new ArrayList<>()).add(term);
      }
      sendIfIdle();
      return term;
    }

    private void sendIfIdle() {
      Map<RaftGroupId, List<CompletableFuture<Long>>> asked;
      synchronized (this) {
        if (inFlight || waiting.isEmpty()) {
          return;
        }
        inFlight = true;
        asked = waiting;
        waiting = new LinkedHashMap<>();
      }
      List<RaftGroupId> groups = List.copyOf(asked.keySet());
      // Outside the caller's gRPC context: a round begins on the thread of a KV call, or of the
      // previous round's answer (which runs in the context of the KV call that began that
      // round), and a call made in a context is cancelled when it ends, here as soon as those
      // reads are answered, before this call's answer arrives.
      try {
        Context.ROOT.run(() -> ClientCalls.asyncUnaryCall(
            channel.newCall(GET_TERMS, callOptions()),
            RaftTermService.encodeGroups(groups),
            new Answer(groups, asked)));
      } catch (RuntimeException e) {
        done(asked, e); // a call that cannot even start: nothing else would fail its askers
      }
    }

    private CallOptions callOptions() {
      // Waits for a channel still (re)connecting, within the deadline, instead of failing at
      // once during gRPC's reconnect backoff after the peer restarted.
      return CallOptions.DEFAULT
          .withWaitForReady()
          .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    /** Answers the askers of one call. */
    private final class Answer implements StreamObserver<byte[]> {
      private final List<RaftGroupId> groups;
      private final Map<RaftGroupId, List<CompletableFuture<Long>>> asked;
      private boolean answered;

      Answer(List<RaftGroupId> groups, Map<RaftGroupId, List<CompletableFuture<Long>>> asked) {
        this.groups = groups;
        this.asked = asked;
      }

      @Override
      public void onNext(byte[] value) {
        answered = true;
        long[] terms;
        try {
          terms = RaftTermService.decodeTerms(value, groups.size());
        } catch (IllegalArgumentException e) {
          done(asked, e);
          return;
        }
        // Marked idle before the askers run: a round they begin sends its questions at once.
        idle();
        for (int i = 0; i < terms.length; i++) {
          RaftGroupId group = groups.get(i);
          for (CompletableFuture<Long> asker : asked.get(group)) {
            if (terms[i] == RaftTermService.NO_REPLICA) {
              asker.completeExceptionally(
                  new IllegalStateException("no replica of " + group + " at " + address));
            } else {
              asker.complete(terms[i]);
            }
          }
        }
      }

      @Override
      public void onError(Throwable t) {
        if (answered) {
          sendIfIdle();
        } else {
          done(asked, t);
        }
      }

      @Override
      public void onCompleted() {
        if (answered) {
          sendIfIdle();
        } else {
          done(asked, new IllegalStateException("no terms in the answer"));
        }
      }
    }

    private synchronized void idle() {
      inFlight = false;
    }

    private void done(Map<RaftGroupId, List<CompletableFuture<Long>>> asked, Throwable failure) {
      idle();
      asked.values().forEach(askers -> askers.forEach(a -> a.completeExceptionally(failure)));
      sendIfIdle();
    }
  }
}
