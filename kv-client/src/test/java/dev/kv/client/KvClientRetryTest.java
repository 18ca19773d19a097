package dev.kv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.WriteId;
import dev.kv.client.testing.FakeKvServer;
import dev.kv.client.testing.Fault;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retry, failover and exactly-once behaviour against a fault-injecting in-process server. Hangs are
 * ended by short attempt timeouts; nothing here waits on a clock to synchronise.
 */
class KvClientRetryTest {
  private static final Duration SHORT_ATTEMPT = Duration.ofMillis(100);
  private static final Duration SHORT_CALL = Duration.ofMillis(1000);

  private final FakeKvServer server = FakeKvServer.start();
  private final FakeKvServer second = FakeKvServer.start();

  @AfterEach
  void tearDown() {
    server.close();
    second.close();
  }

  @Test
  void unavailableIsRetriedWithTheSameWriteId() {
    server.enqueue(Fault.respond(Status.UNAVAILABLE.withDescription("no leader")));
    try (KvClient client = FakeKvServer.clientFor(server.endpoint()).build()) {
      assertThat(client.put("k", "v")).isEqualTo(1);
    }
    List<WriteId> ids = server.writeIds();
    assertThat(ids).hasSize(2);
    assertThat(ids.get(1)).isEqualTo(ids.get(0));
    assertThat(server.version("k")).isEqualTo(1);
  }

  @Test
  void abortedIsRetried() {
    server.enqueue(Fault.respond(Status.ABORTED.withDescription("epoch changed")));
    try (KvClient client = FakeKvServer.clientFor(server.endpoint()).build()) {
      assertThat(client.get("k")).isEmpty();
    }
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void invalidArgumentIsNotRetriedAndCarriesTheServersMessage() {
    server.always(
        Fault.respond(Status.INVALID_ARGUMENT.withDescription("key is 9 bytes; the limit is 8")));
    try (KvClient client = FakeKvServer.clientFor(server.endpoint()).build()) {
      assertThatThrownBy(() -> client.put("k", "v"))
          .isInstanceOf(KvInvalidArgumentException.class)
          .hasMessageContaining("INVALID_ARGUMENT: key is 9 bytes; the limit is 8");
    }
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void failedPreconditionIsNotRetried() {
    server.always(Fault.respond(Status.FAILED_PRECONDITION.withDescription("sequence forgotten")));
    try (KvClient client = FakeKvServer.clientFor(server.endpoint()).build()) {
      assertThatThrownBy(() -> client.delete("k"))
          .isInstanceOf(KvFailedPreconditionException.class)
          .hasMessageContaining("sequence forgotten");
    }
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void otherCodesAreNotRetriedAndKeepTheirCode() {
    server.always(Fault.respond(Status.RESOURCE_EXHAUSTED.withDescription("quota")));
    try (KvClient client = FakeKvServer.clientFor(server.endpoint()).build()) {
      assertThatThrownBy(() -> client.get("k"))
          .isInstanceOfSatisfying(
              KvStatusException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
          .hasMessageContaining("quota");
    }
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void writeThatTimesOutOnEveryAttemptHasAnUnknownOutcome() {
    server.always(Fault.hang());
    try (KvClient client = shortTimeouts(server.endpoint())) {
      assertThatThrownBy(() -> client.put("k", "v"))
          .isInstanceOfSatisfying(
              KvOutcomeUnknownException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED))
          .hasMessageContaining("may have been applied");
    }
    List<WriteId> ids = server.writeIds();
    assertThat(ids).hasSizeGreaterThanOrEqualTo(2);
    assertThat(ids).containsOnly(ids.get(0));
  }

  @Test
  void writeAnsweredDeadlineExceededByTheServerHasAnUnknownOutcome() {
    server.always(Fault.respond(Status.DEADLINE_EXCEEDED.withDescription("commit timed out")));
    try (KvClient client = shortTimeouts(server.endpoint())) {
      assertThatThrownBy(() -> client.compareAndSet(bytes("k"), Condition.absent(), bytes("v")))
          .isInstanceOf(KvOutcomeUnknownException.class)
          .hasMessageContaining("commit timed out");
    }
    assertThat(server.writeIds()).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void writeStaysUnknownWhenLaterAttemptsAreRefusedByTheServer() {
    // The first attempt may have been applied; UNAVAILABLE on the retries says nothing about it.
    server.enqueue(Fault.hang()).always(Fault.respond(Status.UNAVAILABLE));
    try (KvClient client = shortTimeouts(server.endpoint())) {
      assertThatThrownBy(() -> client.delete("k")).isInstanceOf(KvOutcomeUnknownException.class);
    }
  }

  @Test
  void writeStaysUnknownWhenALaterAttemptIsRejected() {
    server
        .enqueue(Fault.hang())
        .always(Fault.respond(Status.FAILED_PRECONDITION.withDescription("result forgotten")));
    try (KvClient client = shortTimeouts(server.endpoint())) {
      assertThatThrownBy(() -> client.put("k", "v"))
          .isInstanceOf(KvOutcomeUnknownException.class)
          .hasMessageContaining("result forgotten");
    }
  }

  @Test
  void writeAnsweredUnavailableOnEveryAttemptWasNotApplied() {
    server.always(Fault.respond(Status.UNAVAILABLE.withDescription("no quorum")));
    try (KvClient client = shortTimeouts(server.endpoint())) {
      assertThatThrownBy(() -> client.put("k", "v"))
          .isInstanceOfSatisfying(
              KvUnavailableException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE))
          .hasMessageContaining("no quorum");
    }
    assertThat(server.writeIds()).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void readThatTimesOutOnEveryAttemptIsUnavailable() {
    server.always(Fault.hang());
    try (KvClient client = shortTimeouts(server.endpoint())) {
      assertThatThrownBy(() -> client.get("k"))
          .isInstanceOfSatisfying(
              KvUnavailableException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    }
    assertThat(server.requestCount()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void lostReplyIsAnsweredWithTheFirstResultAndAppliedOnce() {
    try (KvClient client = shortTimeouts(server.endpoint())) {
      client.put("k", "v1");
      server.enqueue(Fault.applyThenHang());

      assertThat(client.put("k", "v2")).isEqualTo(2);
    }
    assertThat(server.version("k")).isEqualTo(2);
    List<WriteId> ids = server.writeIds();
    assertThat(ids).hasSize(3);
    assertThat(ids.get(2)).isEqualTo(ids.get(1));
  }

  @Test
  void failsOverFromAnEndpointThatRefusesConnections() {
    String refusing = FakeKvServer.unusedEndpoint();
    try (KvClient client = FakeKvServer.clientFor(refusing, server.endpoint()).build()) {
      assertThat(client.put("k", "v")).isEqualTo(1);
      assertThat(client.get("k")).map(VersionedValue::valueAsString).contains("v");
    }
    // The second call went straight to the endpoint that answered.
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void writeToEndpointsThatAllRefuseWasNotApplied() {
    try (KvClient client =
        FakeKvServer.clientFor(FakeKvServer.unusedEndpoint(), FakeKvServer.unusedEndpoint())
            .timeout(Duration.ofMillis(300))
            .build()) {
      assertThatThrownBy(() -> client.put("k", "v"))
          .isInstanceOfSatisfying(
              KvUnavailableException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
    }
  }

  @Test
  void retriesMoveToTheNextEndpoint() {
    server.always(Fault.respond(Status.UNAVAILABLE.withDescription("not the leader")));
    try (KvClient client = FakeKvServer.clientFor(server.endpoint(), second.endpoint()).build()) {
      assertThat(client.put("k", "v")).isEqualTo(1);
    }
    assertThat(server.writeIds()).hasSize(1);
    assertThat(second.writeIds()).isEqualTo(server.writeIds());
  }

  @Test
  void viewWithShorterTimeoutGivesUpSooner() {
    server.always(Fault.hang());
    try (KvClient client =
        FakeKvServer.clientFor(server.endpoint())
            .timeout(Duration.ofMinutes(5))
            .attemptTimeout(Duration.ofMinutes(5))
            .build()) {
      KvOperations quick = client.withTimeout(Duration.ofMillis(200));
      assertThatThrownBy(() -> quick.get("k")).isInstanceOf(KvUnavailableException.class);
    }
  }

  @Test
  void cancellingTheFutureCancelsTheAttemptAndReleasesTheWrite() throws Exception {
    server.enqueue(Fault.hang());
    try (KvClient client = FakeKvServer.clientFor(server.endpoint()).build()) {
      CompletableFuture<Long> hanging = client.putAsync(bytes("a"), bytes("1"));
      server.awaitRequestCount(1);
      hanging.cancel(true);

      client.put("b", "2");
    }
    List<WriteId> ids = server.writeIds();
    assertThat(ids).hasSize(2);
    // Write 1 was settled by the cancel, so write 2 tells the server it may forget it.
    assertThat(ids.get(1).getSequence()).isEqualTo(2);
    assertThat(ids.get(1).getAckedBelow()).isEqualTo(2);
  }

  @Test
  void closeFailsWritesInFlightAsUnknownAndRejectsNewCalls() throws Exception {
    server.always(Fault.hang());
    KvClient client = FakeKvServer.clientFor(server.endpoint()).build();
    CompletableFuture<Long> inFlight = client.putAsync(bytes("k"), bytes("v"));
    CompletableFuture<Optional<VersionedValue>> read = client.getAsync(bytes("k"));
    server.awaitRequestCount(2);

    client.close();

    assertThatThrownBy(inFlight::join).cause().isInstanceOf(KvOutcomeUnknownException.class);
    assertThatThrownBy(read::join)
        .cause()
        .isInstanceOfSatisfying(
            KvStatusException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.CANCELLED));
    assertThatThrownBy(() -> client.get("k"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("KvClient is closed");
    client.close();
  }

  @Test
  void futuresCompleteOnTheCallbackExecutor() throws Exception {
    BlockingQueue<Runnable> completions = new LinkedBlockingQueue<>();
    try (KvClient client =
        FakeKvServer.clientFor(server.endpoint()).callbackExecutor(completions::add).build()) {
      CompletableFuture<Long> put = client.putAsync(bytes("k"), bytes("v"));

      Runnable completion = completions.poll(10, TimeUnit.SECONDS);
      assertThat(completion).isNotNull();
      assertThat(put).isNotDone();
      completion.run();
      assertThat(put).isCompletedWithValue(1L);
    }
  }

  @Test
  void readConsistencyReachesTheServer() {
    try (KvClient client = FakeKvServer.clientFor(server.endpoint()).build()) {
      client.get(bytes("k"), ReadConsistency.SERIALIZABLE);
      client.get(bytes("k"));
    }
    assertThat(server.requests())
        .map(r -> ((GetRequest) r).getConsistency().name())
        .containsExactly("SERIALIZABLE", "LINEARIZABLE");
  }

  private static KvClient shortTimeouts(String... endpoints) {
    return FakeKvServer.clientFor(endpoints)
        .attemptTimeout(SHORT_ATTEMPT)
        .timeout(SHORT_CALL)
        .build();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
