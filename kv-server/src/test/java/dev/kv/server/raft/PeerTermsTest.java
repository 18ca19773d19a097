package dev.kv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How questions to one peer share calls, against a peer on loopback whose answers the test
 * holds back (a real node answers too fast to catch a call in flight).
 */
class PeerTermsTest {
  private static final long TERM = 7;

  /** The calls the peer received, each the groups it asked about, and held until released. */
  private final BlockingQueue<HeldCall> calls = new LinkedBlockingQueue<>();
  private Server server;
  private RaftPeer peer;

  private record HeldCall(List<RaftGroupId> groups, CompletableFuture<Void> release) {}

  @BeforeEach
  void startPeer() throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder(RaftTermService.SERVICE)
        .addMethod(PeerTerms.GET_TERMS, ServerCalls.asyncUnaryCall((request, reply) -> {
          List<RaftGroupId> groups = RaftTermService.decodeGroups(request);
          HeldCall call = new HeldCall(groups, new CompletableFuture<>());
          calls.add(call);
          call.release().thenRun(() -> {
            long[] terms = new long[groups.size()];
            Arrays.fill(terms, TERM);
            reply.onNext(RaftTermService.encodeTerms(terms));
            reply.onCompleted();
          });
        }))
        .build();
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(service)
        .build()
        .start();
    peer = RaftPeer.newBuilder()
        .setId("peer")
        .setAddress("127.0.0.1:" + server.getPort())
        .build();
  }

  @AfterEach
  void stopPeer() {
    server.shutdownNow();
  }

  @Test
  void questionsAskedWhileACallIsInFlightGoTogetherInTheNextCall() throws Exception {
    RaftGroupId g1 = RaftGroupId.randomId();
    RaftGroupId g2 = RaftGroupId.randomId();
    RaftGroupId g3 = RaftGroupId.randomId();
    try (PeerTerms peers = new PeerTerms(30_000)) {
      CompletableFuture<Long> first = peers.termOf(peer, g1);
      HeldCall inFlight = calls.poll(30, TimeUnit.SECONDS);
      assertThat(inFlight.groups()).containsExactly(g1);

      List<CompletableFuture<Long>> meanwhile =
          List.of(peers.termOf(peer, g2), peers.termOf(peer, g3), peers.termOf(peer, g2));
      assertThat(calls.poll(200, TimeUnit.MILLISECONDS))
          .as("no second call while the first is in flight")
          .isNull();
      inFlight.release().complete(null);
      assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(TERM);

      HeldCall next = calls.poll(30, TimeUnit.SECONDS);
      assertThat(next.groups()).as("each group asked once").containsExactly(g2, g3);
      next.release().complete(null);
      for (CompletableFuture<Long> term : meanwhile) {
        assertThat(term.get(30, TimeUnit.SECONDS)).isEqualTo(TERM);
      }
    }
  }

  @Test
  void aPeerThatDoesNotAnswerFailsItsQuestionsAtTheDeadlineAndTheNextCallGoesOut()
      throws Exception {
    RaftGroupId g1 = RaftGroupId.randomId();
    RaftGroupId g2 = RaftGroupId.randomId();
    try (PeerTerms peers = new PeerTerms(1_000)) {
      CompletableFuture<Long> unanswered = peers.termOf(peer, g1);
      assertThat(calls.poll(30, TimeUnit.SECONDS).groups()).containsExactly(g1);
      CompletableFuture<Long> asked = peers.termOf(peer, g2);

      assertThatThrownBy(() -> unanswered.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(StatusRuntimeException.class)
          .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode())
              .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
      HeldCall next = calls.poll(30, TimeUnit.SECONDS);
      assertThat(next.groups()).containsExactly(g2);
      next.release().complete(null);
      assertThat(asked.get(30, TimeUnit.SECONDS)).isEqualTo(TERM);
    }
  }
}
