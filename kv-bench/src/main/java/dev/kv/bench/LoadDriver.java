package dev.kv.bench;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Runs one {@link Workload} against one {@link Backend} as a closed loop: each simulated client
 * issues an operation, waits for it to complete, and issues the next, so the offered load adapts to
 * what the store sustains and no queue builds up in the driver.
 *
 * <p>Clients are not threads: each is a chain of futures, continued on whichever thread completes
 * the previous operation, so 64 clients need no more threads than the backend's own. The driver
 * owns no thread and never blocks; {@link #start()} returns a future of the result, complete once
 * every client has stopped (after the window ends and its last operation has completed).
 *
 * <p>Each client draws its operations and keys from its own seeded random stream, so the sequence
 * of operations of a run is reproducible (their interleaving across clients is not).
 */
public final class LoadDriver {
  private final Backend backend;
  private final Workload workload;
  private final KeysAndValues data;
  private final NanoClock clock;
  private final long seed;

  public LoadDriver(
      Backend backend, Workload workload, KeysAndValues data, NanoClock clock, long seed) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.workload = Objects.requireNonNull(workload, "workload");
    this.data = Objects.requireNonNull(data, "data");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.seed = seed;
    if (data.keyCount() != workload.keys()) {
      throw new IllegalArgumentException(
          "the data has " + data.keyCount() + " keys; the workload wants " + workload.keys());
    }
  }

  /** Starts every client now; the future completes with the figures of the measured window. */
  public CompletableFuture<RunResult> start() {
    long startNanos = clock.nanoTime();
    long windowStart = startNanos + workload.warmup().toNanos();
    MeasurementWindow window =
        new MeasurementWindow(windowStart, windowStart + workload.duration().toNanos());
    SplittableRandom seeds = new SplittableRandom(seed);
    CompletableFuture<?>[] clients = new CompletableFuture<?>[workload.clients()];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = new Client(seeds.split(), window).start();
    }
    return CompletableFuture.allOf(clients)
        .thenApply(
            done ->
                new RunResult(
                    workload,
                    backend.name(),
                    window.seconds(),
                    LatencySummary.of(window.takeLatencies()),
                    window.errorsByKind()));
  }

  /** One simulated client: at most one operation in flight, the next issued on completion. */
  private final class Client {
    private final SplittableRandom random;
    private final MeasurementWindow window;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    Client(SplittableRandom random, MeasurementWindow window) {
      this.random = random;
      this.window = window;
    }

    CompletableFuture<Void> start() {
      issueUntilPending();
      return stopped;
    }

    /**
     * Issues operations until one is still pending (its completion continues the loop) or the
     * window has ended. Operations that are already complete when they return (a fast or failing
     * backend) are handled in this loop rather than by recursion, so the stack stays flat.
     */
    private void issueUntilPending() {
      while (true) {
        long started = clock.nanoTime();
        if (started - window.endNanos() >= 0) {
          stopped.complete(null);
          return;
        }
        CompletableFuture<?> operation = nextOperation();
        if (operation.isDone()) {
          record(started, failureOf(operation));
          continue;
        }
        operation.whenComplete(
            (ignored, error) -> {
              record(started, error);
              issueUntilPending();
            });
        return;
      }
    }

    private CompletableFuture<?> nextOperation() {
      try {
        if (random.nextDouble() < workload.writeFraction()) {
          return backend.put(data.randomKey(random), data.randomValue(random));
        }
        byte[] key = data.randomKey(random);
        return switch (workload.readConsistency()) {
          case LINEARIZABLE -> backend.getLinearizable(key);
          case SERIALIZABLE -> backend.getSerializable(key);
        };
      } catch (RuntimeException e) {
        // A backend that throws instead of failing its future still counts as a failed operation.
        return CompletableFuture.failedFuture(e);
      }
    }

    private void record(long started, Throwable error) {
      long completed = clock.nanoTime();
      if (error == null) {
        window.recordSuccess(started, completed);
      } else {
        window.recordFailure(completed, backend.errorKind(unwrap(error)));
      }
    }
  }

  private static Throwable failureOf(CompletableFuture<?> done) {
    try {
      done.get();
      return null;
    } catch (ExecutionException | CompletionException e) {
      return e.getCause() != null ? e.getCause() : e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    } catch (RuntimeException e) {
      return e; // cancelled
    }
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
