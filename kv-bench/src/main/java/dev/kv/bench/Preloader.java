package dev.kv.bench;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes every key of a workload once, so that its reads find values of the workload's size. Up to
 * {@code concurrency} puts are in flight, each worker a chain of futures like the driver's clients.
 * The first failed put (after the backend's own retries) fails the whole preload: reads of missing
 * keys would measure something else.
 */
public final class Preloader {
  private final Backend backend;
  private final KeysAndValues data;
  private final int concurrency;

  public Preloader(Backend backend, KeysAndValues data, int concurrency) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.data = Objects.requireNonNull(data, "data");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency is " + concurrency + "; it must be >= 1");
    }
    this.concurrency = concurrency;
  }

  /** Writes keys 0 .. keyCount-1; the future completes when all are acknowledged. */
  public CompletableFuture<Void> start() {
    AtomicInteger next = new AtomicInteger();
    SplittableRandom seeds = new SplittableRandom(0x5eed);
    CompletableFuture<?>[] workers = new CompletableFuture<?>[concurrency];
    for (int i = 0; i < concurrency; i++) {
      workers[i] = writeFrom(next, seeds.split());
    }
    return CompletableFuture.allOf(workers);
  }

  private CompletableFuture<Void> writeFrom(AtomicInteger next, SplittableRandom random) {
    int index = next.getAndIncrement();
    if (index >= data.keyCount()) {
      return CompletableFuture.completedFuture(null);
    }
    return backend
        .put(data.keyAt(index), data.randomValue(random))
        .thenCompose(ignored -> writeFrom(next, random));
  }
}
