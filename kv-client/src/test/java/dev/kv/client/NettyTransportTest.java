package dev.kv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.client.testing.FakeKvServer;
import dev.kv.client.testing.Fault;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK's default channels over real loopback sockets. Whether a write may have been applied is
 * read from how far the attempt got on the wire, which differs per transport; the in-process tests
 * cannot show that Netty reports it the same way.
 */
class NettyTransportTest {
  private static FakeKvServer server;

  @BeforeAll
  static void startServer() {
    server = FakeKvServer.startOnLoopback();
    // Loads and warms Netty with a generous timeout, so that the short timeouts below measure
    // the server's behaviour rather than class loading on a busy machine.
    try (KvClient warmUp =
        KvClient.builder().endpoints(server.endpoint()).timeout(Duration.ofSeconds(30)).build()) {
      warmUp.get("warm-up");
    }
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void worksOverTheDefaultChannels() {
    server.always(null);
    try (KvClient client = client(server.endpoint())) {
      long version = client.put("netty", "value");
      assertThat(client.get("netty")).map(VersionedValue::version).contains(version);
    }
  }

  @Test
  void writeAnsweredUnavailableByTheServerWasNotApplied() {
    server.always(Fault.respond(Status.UNAVAILABLE.withDescription("no leader")));
    try (KvClient client = client(server.endpoint())) {
      assertThatThrownBy(() -> client.put("k", "v"))
          .isInstanceOf(KvUnavailableException.class)
          .hasMessageContaining("no leader");
    } finally {
      server.always(null);
    }
  }

  @Test
  void writeWithoutAReplyHasAnUnknownOutcome() {
    server.always(Fault.hang());
    try (KvClient client = client(server.endpoint())) {
      assertThatThrownBy(() -> client.put("k", "v")).isInstanceOf(KvOutcomeUnknownException.class);
    } finally {
      server.always(null);
    }
  }

  @Test
  void writeToARefusingPortWasNotAppliedAndFailsOver() throws IOException {
    String refusing = refusingEndpoint();
    try (KvClient alone = client(refusing)) {
      assertThatThrownBy(() -> alone.put("k", "v"))
          .isInstanceOfSatisfying(
              KvUnavailableException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
    }
    try (KvClient withFallback = client(refusing, server.endpoint())) {
      assertThat(withFallback.put("failover", "v")).isEqualTo(1);
    }
  }

  /**
   * By default a future completes on the transport thread that read the reply (no hand-off to a
   * pool thread per call); a blocking call made there would wait for a reply only that thread
   * can read, so it fails at once, with advice, instead of hanging until its deadline.
   */
  @Test
  void callbacksRunOnTheTransportWhereABlockingCallFailsFast() throws Exception {
    server.always(null);
    try (KvClient client = client(server.endpoint())) {
      client.put("threads", "value");
      // The reply is held until the callback is attached; otherwise a quick reply would run the
      // callback on this thread, where blocking is allowed.
      CompletableFuture<Void> callbackAttached = new CompletableFuture<>();
      server.enqueue(Fault.answerAfter(callbackAttached));
      CompletableFuture<String> callbackThread = new CompletableFuture<>();
      CompletableFuture<Optional<VersionedValue>> nested =
          client.getAsync("threads".getBytes(StandardCharsets.UTF_8))
              .thenApply(first -> {
                callbackThread.complete(Thread.currentThread().getName());
                return client.get("threads");
              });
      callbackAttached.complete(null);

      assertThatThrownBy(() -> nested.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("callbackExecutor");
      assertThat(callbackThread.get()).startsWith("grpc-");
    }
  }

  @Test
  void withACallbackExecutorCallbacksMayBlock() throws Exception {
    server.always(null);
    // Threads to spare: the nested call's own completion runs on this executor too.
    ExecutorService callbacks = Executors.newCachedThreadPool();
    try (KvClient client = KvClient.builder().endpoints(server.endpoint())
        .timeout(Duration.ofSeconds(10)).callbackExecutor(callbacks).build()) {
      long version = client.put("blocking", "value");
      Optional<VersionedValue> nested =
          client.getAsync("blocking".getBytes(StandardCharsets.UTF_8))
              .thenApply(first -> client.get("blocking"))
              .get(10, TimeUnit.SECONDS);
      assertThat(nested).map(VersionedValue::version).contains(version);
    } finally {
      callbacks.shutdownNow();
    }
  }

  private static KvClient client(String... endpoints) {
    return KvClient.builder()
        .endpoints(endpoints)
        .timeout(Duration.ofMillis(1000))
        .attemptTimeout(Duration.ofMillis(250))
        .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
        .build();
  }

  /** A loopback port that was free a moment ago, so connecting to it is refused. */
  private static String refusingEndpoint() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket socket = new ServerSocket(0, 1, loopback)) {
      return loopback.getHostAddress() + ":" + socket.getLocalPort();
    }
  }
}
