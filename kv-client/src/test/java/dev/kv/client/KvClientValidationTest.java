package dev.kv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.api.Limits;
import dev.kv.api.v1.PutRequest;
import dev.kv.client.testing.FakeKvServer;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every limit is checked before sending: the exact message of {@link Limits}, and neither a channel
 * nor an RPC.
 */
class KvClientValidationTest {
  private static final int MAX_KEY = Limits.DEFAULT_MAX_KEY_BYTES;
  private static final int MAX_VALUE = Limits.DEFAULT_MAX_VALUE_BYTES;

  private final FakeKvServer server = FakeKvServer.start();
  private final AtomicInteger channelsOpened = new AtomicInteger();
  private final KvClient client =
      FakeKvServer.clientFor(server.endpoint())
          .channelFactory(
              endpoint -> {
                channelsOpened.incrementAndGet();
                return FakeKvServer.channel(endpoint);
              })
          .build();

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  @Test
  void emptyKeyIsRejectedByEveryOperation() {
    String message = "key is empty; keys must be 1..4096 bytes";
    byte[] empty = new byte[0];

    assertRejected(() -> client.get(empty), message);
    assertRejected(() -> client.get(empty, ReadConsistency.SERIALIZABLE), message);
    assertRejected(() -> client.put(empty, bytes(1)), message);
    assertRejected(() -> client.delete(empty), message);
    assertRejected(() -> client.compareAndSet(empty, Condition.absent(), bytes(1)), message);
    assertRejected(() -> client.get(""), message);
    assertNothingSent();
  }

  @Test
  void keyOfTheLimitIsSentAndOneByteMoreIsNot() {
    assertRejected(
        () -> client.put(bytes(MAX_KEY + 1), bytes(1)), "key is 4097 bytes; the limit is 4096");
    assertRejected(() -> client.get(bytes(MAX_KEY + 1)), "key is 4097 bytes; the limit is 4096");
    assertRejected(() -> client.delete(bytes(MAX_KEY + 1)), "key is 4097 bytes; the limit is 4096");
    assertNothingSent();

    assertThat(client.put(bytes(MAX_KEY), bytes(1))).isEqualTo(1);
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void valueOfTheLimitIsSentAndOneByteMoreIsNot() {
    assertRejected(
        () -> client.put(bytes(1), bytes(MAX_VALUE + 1)),
        "value is 1048577 bytes; the limit is 1048576");
    assertRejected(
        () -> client.compareAndSet(bytes(1), Condition.absent(), bytes(MAX_VALUE + 1)),
        "value is 1048577 bytes; the limit is 1048576");
    assertRejected(
        () -> client.compareAndSet(bytes(1), Condition.valueEquals(bytes(MAX_VALUE + 1)), null),
        "condition value is 1048577 bytes; the limit is 1048576");
    assertNothingSent();

    assertThat(client.put(bytes(1), bytes(MAX_VALUE))).isEqualTo(1);
    assertThat(((PutRequest) server.requests().get(0)).getValue().size()).isEqualTo(MAX_VALUE);
  }

  @Test
  void scanLimitOutOfRangeIsRejected() {
    assertRejected(
        () -> client.scan(ScanOptions.builder().limit(1001).build()),
        "scan limit is 1001; it must be 0 (default 100) to 1000");
    assertRejected(
        () -> client.scan(ScanOptions.builder().limit(-1).build()),
        "scan limit is -1; it must be 0 (default 100) to 1000");
    // scanAll fails when called, not when the stream is first used.
    assertRejected(
        () -> client.scanAll(ScanOptions.builder().limit(1001).build()),
        "scan limit is 1001; it must be 0 (default 100) to 1000");
    assertNothingSent();

    assertThat(client.scan(ScanOptions.builder().limit(1000).build()).entries()).isEmpty();
    assertThat(client.scan(ScanOptions.builder().limit(0).build()).entries()).isEmpty();
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void asyncVariantsReportInvalidArgumentsThroughTheFuture() {
    CompletableFuture<Long> put = client.putAsync(bytes(MAX_KEY + 1), bytes(1));

    assertThat(put).isCompletedExceptionally();
    assertThatThrownBy(put::join)
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(KvInvalidArgumentException.class)
        .hasMessage("key is 4097 bytes; the limit is 4096");
    assertThat(client.getAsync(new byte[0])).isCompletedExceptionally();
    assertThat(client.deleteAsync(new byte[0])).isCompletedExceptionally();
    assertThat(client.scanAsync(ScanOptions.builder().limit(5000).build()))
        .isCompletedExceptionally();
    assertNothingSent();
  }

  @Test
  void configuredLimitsApply() {
    try (KvClient small =
        FakeKvServer.clientFor(server.endpoint()).limits(new Limits(8, 16, 10)).build()) {
      assertRejected(() -> small.put(bytes(9), bytes(1)), "key is 9 bytes; the limit is 8");
      assertRejected(() -> small.put(bytes(8), bytes(17)), "value is 17 bytes; the limit is 16");
      assertRejected(
          () -> small.scan(ScanOptions.builder().limit(11).build()),
          "scan limit is 11; it must be 0 (default 100) to 10");
    }
    assertThat(server.requestCount()).isZero();
  }

  @Test
  void rejectedWritesDoNotUseUpSequenceNumbers() {
    assertRejected(
        () -> client.put(bytes(MAX_KEY + 1), bytes(1)), "key is 4097 bytes; the limit is 4096");

    client.put(bytes(1), bytes(1));

    assertThat(server.writeIds())
        .singleElement()
        .satisfies(
            id -> {
              assertThat(id.getSequence()).isEqualTo(1);
              assertThat(id.getAckedBelow()).isEqualTo(1);
            });
  }

  @Test
  void nullArgumentsAreProgrammingErrors() {
    assertThatThrownBy(() -> client.put(null, bytes(1))).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> client.getAsync(bytes(1), null))
        .isInstanceOf(NullPointerException.class);
    assertNothingSent();
  }

  private void assertRejected(Executable call, String message) {
    assertThatThrownBy(call::execute)
        .isInstanceOf(KvInvalidArgumentException.class)
        .hasMessage(message)
        .satisfies(
            e -> assertThat(((KvException) e).code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  private void assertNothingSent() {
    assertThat(server.requestCount()).isZero();
    assertThat(channelsOpened).hasValue(0);
  }

  private static byte[] bytes(int length) {
    byte[] bytes = new byte[length];
    java.util.Arrays.fill(bytes, (byte) 'k');
    return bytes;
  }
}
