package dev.kv.server.raft;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/** Background threads of a node: daemons, so a stuck task never keeps a stopped node alive. */
public final class Daemons {
  private Daemons() {}

  public static ScheduledExecutorService singleThread(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /** A pool that grows with demand and lets idle threads go; threads are named prefix-N. */
  public static ExecutorService cachedPool(String prefix) {
    AtomicInteger next = new AtomicInteger();
    return Executors.newCachedThreadPool(
        r -> {
          Thread t = new Thread(r, prefix + "-" + next.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }
}
