package dev.kv.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.api.Limits;
import dev.kv.api.v1.WriteId;
import dev.kv.client.testing.FakeKvServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Many writes in flight at once, from several threads: the ids the server sees must be unique,
 * dense, and never tell it to forget a write that can still arrive.
 */
class WriteIdConcurrencyTest {
  private static final int THREADS = 4;
  private static final int WRITES_PER_THREAD = 50;
  private static final int WRITES = THREADS * WRITES_PER_THREAD;

  @Test
  void concurrentAsyncWritesGetDistinctSequencesAndASafeAckedBelow() throws Exception {
    try (FakeKvServer server = FakeKvServer.start();
        KvClient client = FakeKvServer.clientFor(server.endpoint()).build()) {
      ConcurrentLinkedQueue<CompletableFuture<?>> futures = new ConcurrentLinkedQueue<>();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        threads.add(
            new Thread(
                () -> {
                  awaitQuietly(start);
                  for (int i = 0; i < WRITES_PER_THREAD; i++) {
                    byte[] key = ("t" + thread + "-" + i).getBytes(StandardCharsets.UTF_8);
                    futures.add(i % 2 == 0 ? client.putAsync(key, key) : client.deleteAsync(key));
                  }
                }));
      }
      threads.forEach(Thread::start);
      start.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();

      List<WriteId> seen = server.writeIds();
      assertThat(seen).hasSize(WRITES);
      assertThat(seen)
          .extracting(WriteId::getSequence)
          .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, WRITES).boxed().toList());
      assertThat(seen)
          .allSatisfy(
              id -> {
                assertThat(id.getClientId().size()).isEqualTo(Limits.CLIENT_ID_BYTES);
                assertThat(id.getClientId()).isEqualTo(seen.get(0).getClientId());
                assertThat(id.getAckedBelow()).isBetween(1L, id.getSequence());
              });
      // Without faults each write reaches the server once, before its future completes. So once
      // the server has seen acked_below = A, a write with a sequence below A must never arrive.
      long highestAckedBelow = 0;
      for (WriteId id : seen) {
        assertThat(id.getSequence())
            .as("sequence arriving after acked_below %d was announced", highestAckedBelow)
            .isGreaterThanOrEqualTo(highestAckedBelow);
        highestAckedBelow = Math.max(highestAckedBelow, id.getAckedBelow());
      }

      // Nothing is in flight any more, so the next write releases everything before it.
      client.put("last", "write");
      WriteId last = server.writeIds().get(WRITES);
      assertThat(last.getSequence()).isEqualTo(WRITES + 1);
      assertThat(last.getAckedBelow()).isEqualTo(WRITES + 1);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
