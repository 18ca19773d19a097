package dev.kv.server.raft;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Background threads of a node: daemons, so a stuck task never keeps a stopped node alive. */
public final class Daemons {
  private Daemons() {}

  public static ScheduledExecutorService singleThread(String name) {
    return Executors.newSingleThreadScheduledExecutor(daemons(() -> name));
  }

  /** A pool that grows with demand and lets idle threads go; threads are named prefix-N. */
  public static ExecutorService cachedPool(String prefix) {
    AtomicInteger next = new AtomicInteger();
    return Executors.newCachedThreadPool(daemons(() -> prefix + "-" + next.incrementAndGet()));
  }

  private static ThreadFactory daemons(Supplier<String> names) {
    return r -> {
      Thread t = new Thread(r, names.get());
      t.setDaemon(true);
      return t;
    };
  }
}
