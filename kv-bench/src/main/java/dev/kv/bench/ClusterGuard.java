package dev.kv.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Makes sure every cluster a comparison started is stopped: on the normal path by {@link #close()},
 * and on Ctrl-C or any other JVM exit by a shutdown hook that does the same. The clusters are
 * stopped in parallel (each takes seconds), each once, and close returns when all are down. A
 * cluster registered after the guard closed (the hook ran while the main thread was still
 * starting one) is stopped at once.
 *
 * <p>Only a kill -9 of the bench escapes it; the next comparison then stops the leftover kv cluster
 * before starting (see {@link KvLocalCluster#start()}).
 */
final class ClusterGuard implements AutoCloseable {
  private final Deque<BenchCluster> clusters = new ArrayDeque<>();
  private final Thread hook = new Thread(this::stopAll, "kv-bench-stop-clusters");
  private boolean closed;

  ClusterGuard() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Registers a cluster to stop; call before starting it, so that a failed start is covered. */
  <T extends BenchCluster> T guard(T cluster) {
    synchronized (this) {
      if (!closed) {
        clusters.push(cluster);
        return cluster;
      }
    }
    cluster.close();
    return cluster;
  }

  /** Whether the clusters are being stopped (Ctrl-C), so starting more work is pointless. */
  synchronized boolean stopping() {
    return closed;
  }

  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or has run; stopAll is idempotent.
    }
  }

  /** Stops every registered cluster, all at once: each stop waits for its own processes. */
  private void stopAll() {
    List<Thread> stoppers = new ArrayList<>();
    while (true) {
      BenchCluster cluster;
      synchronized (this) {
        closed = true;
        cluster = clusters.poll();
      }
      if (cluster == null) {
        break;
      }
      Thread stopper = new Thread(() -> stop(cluster), "kv-bench-stop-" + cluster.name());
      stopper.start();
      stoppers.add(stopper);
    }
    boolean interrupted = false;
    for (Thread stopper : stoppers) {
      while (true) {
        try {
          stopper.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // their data is deleted next: wait until they are down
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stop(BenchCluster cluster) {
    System.err.println("kv-bench: stopping the " + cluster.name() + " cluster");
    try {
      cluster.close();
    } catch (RuntimeException e) {
      System.err.println("kv-bench: stopping the " + cluster.name() + " cluster failed: " + e);
    }
  }
}
