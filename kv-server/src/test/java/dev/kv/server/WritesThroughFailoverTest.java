package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.client.KvClient;
import dev.kv.client.KvOutcomeUnknownException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers keep writing through the SDK while the leader stops. The SDK retries with the same
 * write id, so no write is applied twice: each key's final version equals the number of its
 * acknowledged writes (plus at most the writes whose outcome was reported unknown), and no
 * acknowledged write is lost.
 */
class WritesThroughFailoverTest {
  @TempDir Path dir;

  record Outcome(int acknowledged, int unknown, String lastAcknowledgedValue) {}

  @Test
  void noWriteIsLostOrAppliedTwiceWhenTheLeaderStops() throws Exception {
    int writers = 4;
    int writesEach = 60;
    try (TestCluster cluster = TestCluster.start(dir, 3);
        KvClient client = cluster.client()) {
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      CountDownLatch halfway = new CountDownLatch(writers);
      List<Future<Outcome>> outcomes = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        String key = "writer-" + w;
        outcomes.add(
            pool.submit(
                () -> {
                  int acked = 0;
                  int unknown = 0;
                  String last = null;
                  for (int i = 0; i < writesEach; i++) {
                    if (i == writesEach / 2) {
                      halfway.countDown();
                    }
                    String value = key + "#" + i;
                    try {
                      client.put(key, value);
                      acked++;
                      last = value;
                    } catch (KvOutcomeUnknownException e) {
                      unknown++;
                    }
                  }
                  return new Outcome(acked, unknown, last);
                }));
      }
      assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
      int leader = cluster.awaitLeader();
      cluster.stop(leader);

      for (int w = 0; w < writers; w++) {
        Outcome outcome = outcomes.get(w).get(120, TimeUnit.SECONDS);
        var stored = client.get("writer-" + w).orElseThrow();
        assertThat(stored.version())
            .as("writer %d: version counts each applied write once", w)
            .isBetween((long) outcome.acknowledged(), (long) outcome.acknowledged() + outcome.unknown());
        if (outcome.unknown() == 0) {
          assertThat(stored.valueAsString()).isEqualTo(outcome.lastAcknowledgedValue());
        }
        assertThat(outcome.acknowledged()).isPositive();
      }
      pool.shutdown();
      assertThat(cluster.fatalErrors).isEmpty();
    }
  }
}
