package dev.kv.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The guard stops its clusters in parallel and returns only when every one is down. */
class ClusterGuardTest {

  /** A cluster whose stop blocks until every cluster of the test has begun stopping. */
  private static final class SlowCluster implements BenchCluster {
    private final CountDownLatch allStopping;
    private final AtomicInteger closes = new AtomicInteger();
    private volatile boolean down;

    SlowCluster(CountDownLatch allStopping) {
      this.allStopping = allStopping;
    }

    @Override
    public String name() {
      return "slow";
    }

    @Override
    public void start() {}

    @Override
    public List<String> endpoints() {
      return List.of();
    }

    @Override
    public List<Long> serverPids() {
      return List.of();
    }

    @Override
    public List<Path> dataDirs() {
      return List.of();
    }

    @Override
    public void close() {
      closes.incrementAndGet();
      allStopping.countDown();
      try {
        // Stopped one after the other, the first would wait here in vain.
        if (allStopping.await(30, TimeUnit.SECONDS)) {
          down = true;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void stopsAllClustersAtOnceAndWaitsForEach() {
    CountDownLatch allStopping = new CountDownLatch(2);
    SlowCluster etcd = new SlowCluster(allStopping);
    SlowCluster kv = new SlowCluster(allStopping);

    try (ClusterGuard guard = new ClusterGuard()) {
      guard.guard(etcd);
      guard.guard(kv);
    }

    assertThat(etcd.down).isTrue();
    assertThat(kv.down).isTrue();
    assertThat(etcd.closes.get()).isEqualTo(1);
    assertThat(kv.closes.get()).isEqualTo(1);
  }

  @Test
  void aClusterGuardedAfterCloseIsStoppedAtOnce() {
    CountDownLatch alone = new CountDownLatch(1);
    SlowCluster late = new SlowCluster(alone);
    ClusterGuard guard = new ClusterGuard();
    guard.close();

    guard.guard(late);

    assertThat(late.down).isTrue();
    assertThat(guard.stopping()).isTrue();
  }
}
