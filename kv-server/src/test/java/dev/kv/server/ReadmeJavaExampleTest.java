package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.client.CasResult;
import dev.kv.client.Condition;
import dev.kv.client.KeyValue;
import dev.kv.client.KvClient;
import dev.kv.client.KvOutcomeUnknownException;
import dev.kv.client.ReadConsistency;
import dev.kv.client.ScanOptions;
import dev.kv.client.VersionedValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "From Java" example, against a real cluster: if the SDK changes in a way that
 * breaks the example, this fails. Keep the two in step (the body between the markers is the
 * README's code).
 */
class ReadmeJavaExampleTest {
  @TempDir Path dir;

  @Test
  void theReadmeExampleRuns() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3)) {
      List<String> endpoints = cluster.endpoints();
      // --- README: From Java ---
      try (KvClient kv = KvClient.builder()
          .endpoints(endpoints)                  // any nodes; the client learns the rest
          .timeout(Duration.ofSeconds(5))        // per operation, retries included
          .build()) {
        long version = kv.put("greeting", "hello");              // 1 on create, +1 per write
        Optional<VersionedValue> got = kv.get("greeting");       // linearizable
        Optional<VersionedValue> stale =
            kv.get("greeting".getBytes(StandardCharsets.UTF_8), ReadConsistency.SERIALIZABLE);

        // Compare-and-set: a failed condition is an answer, not an exception.
        CasResult cas = kv.compareAndSet("greeting".getBytes(StandardCharsets.UTF_8),
            Condition.versionEquals(version), "hi".getBytes(StandardCharsets.UTF_8));
        CasResult lock = kv.compareAndSet("lock".getBytes(StandardCharsets.UTF_8),
            Condition.absent(), "me".getBytes(StandardCharsets.UTF_8));

        // Every key, in hash order, page by page behind the stream.
        List<KeyValue> all = kv.scanAll(ScanOptions.builder().limit(100).build()).toList();

        // Async: the future completes on a gRPC transport thread; don't block in callbacks
        // (or build the client with a callbackExecutor).
        CompletableFuture<Long> next = kv.putAsync(
            "counter".getBytes(StandardCharsets.UTF_8), "1".getBytes(StandardCharsets.UTF_8));

        try {
          kv.delete("greeting");
        } catch (KvOutcomeUnknownException e) {
          // The deadline passed with the outcome unknown: the SDK retried with the same write
          // id, so a retry of your own cannot apply it twice either.
        }
        // --- end of the README's code ---
        assertThat(got).map(VersionedValue::valueAsString).contains("hello");
        assertThat(stale).isPresent();
        assertThat(cas.succeeded()).isTrue();
        assertThat(cas.version()).isEqualTo(version + 1);
        assertThat(lock.succeeded()).isTrue();
        assertThat(all).hasSize(2);
        assertThat(next.get()).isEqualTo(1);
        assertThat(kv.get("greeting")).isEmpty();
      }
    }
  }
}
