package dev.kv.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory {@link Backend} whose every operation has the latency and outcome a {@link
 * Behaviour} decides, completed later by a {@link Scheduler} (virtual or real time), so tests
 * control exactly what the driver sees. Counts the calls of each kind and remembers written keys.
 */
final class FakeBackend implements Backend {

  /** Runs a task after a delay; completes the fake's futures. */
  interface Scheduler {
    void after(long delayNanos, Runnable action);
  }

  enum Op {
    PUT,
    GET_LINEARIZABLE,
    GET_SERIALIZABLE
  }

  /** Decides the outcome of operation number {@code n} (0-based, in issue order). */
  @FunctionalInterface
  interface Behaviour {
    Outcome decide(long n, Op op, long startedNanos);
  }

  /** What one operation does: complete (or fail) after a latency, fail at once, or throw. */
  record Outcome(long latencyNanos, String failureKind, boolean immediate, boolean throwsNow) {
    static Outcome succeedAfter(long nanos) {
      return new Outcome(nanos, null, false, false);
    }

    static Outcome failAfter(long nanos, String kind) {
      return new Outcome(nanos, kind, false, false);
    }

    static Outcome failImmediately(String kind) {
      return new Outcome(0, kind, true, false);
    }

    static Outcome throwNow() {
      return new Outcome(0, null, true, true);
    }
  }

  /** The failure a fake operation completes with; its kind is what the driver must count. */
  static final class FakeFailure extends RuntimeException {
    final String kind;

    FakeFailure(String kind) {
      super(kind, null, false, false);
      this.kind = kind;
    }
  }

  private final Scheduler scheduler;
  private final NanoClock clock;
  private final Behaviour behaviour;
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong linearizableGets = new AtomicLong();
  private final AtomicLong serializableGets = new AtomicLong();
  private final List<String> writtenKeys = Collections.synchronizedList(new ArrayList<>());

  FakeBackend(Scheduler scheduler, NanoClock clock, Behaviour behaviour) {
    this.scheduler = scheduler;
    this.clock = clock;
    this.behaviour = behaviour;
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    puts.incrementAndGet();
    writtenKeys.add(new String(key, StandardCharsets.UTF_8));
    return operation(Op.PUT);
  }

  @Override
  public CompletableFuture<?> getLinearizable(byte[] key) {
    linearizableGets.incrementAndGet();
    return operation(Op.GET_LINEARIZABLE);
  }

  @Override
  public CompletableFuture<?> getSerializable(byte[] key) {
    serializableGets.incrementAndGet();
    return operation(Op.GET_SERIALIZABLE);
  }

  @Override
  public String errorKind(Throwable error) {
    return error instanceof FakeFailure fake ? fake.kind : Backend.super.errorKind(error);
  }

  @Override
  public void close() {}

  long puts() {
    return puts.get();
  }

  long linearizableGets() {
    return linearizableGets.get();
  }

  long serializableGets() {
    return serializableGets.get();
  }

  List<String> writtenKeys() {
    return List.copyOf(writtenKeys);
  }

  private CompletableFuture<?> operation(Op op) {
    long n = issued.getAndIncrement();
    Outcome outcome = behaviour.decide(n, op, clock.nanoTime());
    if (outcome.throwsNow()) {
      throw new IllegalArgumentException("fake backend throws for operation " + n);
    }
    CompletableFuture<Object> result = new CompletableFuture<>();
    Runnable complete =
        () -> {
          if (outcome.failureKind() == null) {
            result.complete(n);
          } else {
            result.completeExceptionally(new FakeFailure(outcome.failureKind()));
          }
        };
    if (outcome.immediate()) {
      complete.run();
    } else {
      scheduler.after(outcome.latencyNanos(), complete);
    }
    return result;
  }
}
