package dev.kv.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.api.v1.CompareAndSetRequest;
import dev.kv.api.v1.ScanRequest;
import dev.kv.client.testing.FakeKvServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mapping of each operation onto the protocol and back, through a real gRPC stack. */
class KvClientOperationsTest {
  private final FakeKvServer server = FakeKvServer.start();
  private final KvClient client = FakeKvServer.clientFor(server.endpoint()).build();

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  @Test
  void putGetDeleteRoundTrip() {
    assertThat(client.get("k")).isEmpty();
    assertThat(client.put("k", "v1")).isEqualTo(1);
    assertThat(client.put("k", "v2")).isEqualTo(2);

    VersionedValue value = client.get("k").orElseThrow();
    assertThat(value.valueAsString()).isEqualTo("v2");
    assertThat(value.value()).isEqualTo(bytes("v2"));
    assertThat(value.version()).isEqualTo(2);

    assertThat(client.delete("k")).isTrue();
    assertThat(client.delete("k")).isFalse();
    assertThat(client.get("k")).isEmpty();
  }

  @Test
  void asyncVariantsComplete() {
    assertThat(client.putAsync(bytes("k"), bytes("v")).join()).isEqualTo(1);
    assertThat(client.getAsync(bytes("k")).join()).map(VersionedValue::version).contains(1L);
    assertThat(client.compareAndSetAsync(bytes("k"), Condition.versionEquals(1), bytes("w")).join())
        .isEqualTo(new CasResult(true, 2));
    assertThat(client.deleteAsync(bytes("k")).join()).isTrue();
    assertThat(client.scanAsync(ScanOptions.all()).join().entries()).isEmpty();
  }

  @Test
  void compareAndSetReportsTheCurrentVersionWhenTheConditionFails() {
    assertThat(client.compareAndSet(bytes("k"), Condition.absent(), bytes("v")))
        .isEqualTo(new CasResult(true, 1));
    assertThat(client.compareAndSet(bytes("k"), Condition.absent(), bytes("v")))
        .isEqualTo(new CasResult(false, 1));
    assertThat(client.compareAndSet(bytes("k"), Condition.valueEquals("v"), bytes("w")))
        .isEqualTo(new CasResult(true, 2));
    assertThat(client.compareAndSet(bytes("k"), Condition.versionEquals(1), null))
        .isEqualTo(new CasResult(false, 2));
    assertThat(client.compareAndSet(bytes("k"), Condition.versionEquals(2), null))
        .isEqualTo(new CasResult(true, 0));
    assertThat(client.get("k")).isEmpty();

    CompareAndSetRequest delete = (CompareAndSetRequest) server.requests().get(4);
    assertThat(delete.hasDelete()).isTrue();
    assertThat(delete.getDelete()).isTrue();
    assertThat(delete.getCondition().getVersionEquals()).isEqualTo(2);
  }

  @Test
  void scanReturnsPagesThatContinueFromTheCursor() {
    IntStream.range(0, 5).forEach(i -> client.put("key-" + i, "value-" + i));

    ScanOptions options = ScanOptions.builder().limit(2).build();
    ScanPage first = client.scan(options);
    ScanPage second = client.scan(options.withCursor(first.nextCursor()));
    ScanPage third = client.scan(options.withCursor(second.nextCursor()));

    assertThat(first.entries()).extracting(KeyValue::keyAsString).containsExactly("key-0", "key-1");
    assertThat(second.entries())
        .extracting(KeyValue::keyAsString)
        .containsExactly("key-2", "key-3");
    assertThat(third.entries()).extracting(KeyValue::keyAsString).containsExactly("key-4");
    assertThat(first.hasMore()).isTrue();
    assertThat(third.hasMore()).isFalse();
  }

  @Test
  void scanAllWalksEveryPageLazilyWithTheOptions() {
    IntStream.range(0, 7).forEach(i -> client.put("a-" + i, "v" + i));
    client.put("b-0", "other");
    int writes = server.requestCount();

    List<KeyValue> all =
        client
            .scanAll(
                ScanOptions.builder()
                    .limit(3)
                    .prefix("a-")
                    .keysOnly(true)
                    .consistency(ReadConsistency.SERIALIZABLE)
                    .build())
            .toList();

    assertThat(all)
        .extracting(KeyValue::keyAsString)
        .containsExactly("a-0", "a-1", "a-2", "a-3", "a-4", "a-5", "a-6");
    assertThat(all).allSatisfy(kv -> assertThat(kv.value()).isEmpty());
    List<ScanRequest> scans =
        server.requests().subList(writes, server.requestCount()).stream()
            .map(ScanRequest.class::cast)
            .toList();
    assertThat(scans).hasSize(3);
    assertThat(scans)
        .allSatisfy(
            scan -> {
              assertThat(scan.getLimit()).isEqualTo(3);
              assertThat(scan.getKeyPrefix().toStringUtf8()).isEqualTo("a-");
              assertThat(scan.getKeysOnly()).isTrue();
              assertThat(scan.getConsistency().name()).isEqualTo("SERIALIZABLE");
            });
  }

  @Test
  void scanAllFetchesNothingUntilConsumedAndStopsWhenLimited() {
    IntStream.range(0, 6).forEach(i -> client.put("k" + i, "v"));
    int writes = server.requestCount();

    var stream = client.scanAll(ScanOptions.builder().limit(2).build());
    assertThat(server.requestCount()).isEqualTo(writes);

    assertThat(stream.limit(3).count()).isEqualTo(3);
    assertThat(server.requestCount() - writes).isEqualTo(2);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
