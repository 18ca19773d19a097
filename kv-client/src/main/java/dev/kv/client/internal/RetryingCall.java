package dev.kv.client.internal;

import dev.kv.client.KvException;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one logical operation to its end: attempts on successive endpoints, pauses between them, and
 * settles the result future exactly once, with success, the right {@link KvException}, cancellation
 * by the caller, or the client closing.
 *
 * <p>Nothing here blocks a thread: an attempt is an asynchronous gRPC call, and the next one is
 * started by the reply callback or, after a pause, by the client's scheduler. The request object is
 * the same for every attempt, so a write's id never changes across its retries.
 */
final class RetryingCall<ReqT, RespT, T> {
  private static final Logger log = LoggerFactory.getLogger(RetryingCall.class);

  /** Least time a retry must have after its pause (capped at the attempt timeout). */
  private static final long MIN_RETRY_TIME_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final ClientRuntime runtime;
  private final Rpc<ReqT, RespT, T> rpc;
  private final Deadline deadline;
  private final Runnable onSettled;
  private final long startNanos = System.nanoTime();
  private final CompletableFuture<T> result = new CompletableFuture<>();

  // Guarded by this.
  private boolean settled;
  private int attempts;
  private Endpoint lastEndpoint;
  /** Where the attempt in flight was routed; null when the server routes it. */
  private Router.Target lastTarget;
  private boolean mayHaveBeenApplied;
  /** The failure of the latest attempt, which a retry follows; null before any failed. */
  private AttemptFailure lastFailure;
  private ClientCall<ReqT, RespT> inFlight;
  private ScheduledFuture<?> pendingRetry;

  /**
   * @param onSettled runs once when the operation ends in any way, before the result is delivered
   */
  RetryingCall(
      ClientRuntime runtime, Rpc<ReqT, RespT, T> rpc, Deadline deadline, Runnable onSettled) {
    this.runtime = runtime;
    this.rpc = rpc;
    this.deadline = deadline;
    this.onSettled = onSettled;
  }

  CompletableFuture<T> result() {
    return result;
  }

  /** Starts the first attempt on the calling thread; returns without waiting for it. */
  void start() {
    result.whenComplete(
        (value, error) -> {
          if (result.isCancelled()) {
            settle(null, "cancelled by the caller");
          }
        });
    startAttempt();
  }

  /** Ends the operation because the client is closing. */
  void abortBecauseClosed() {
    boolean applied;
    synchronized (this) {
      // An attempt still in flight may already have been sent.
      applied = mayHaveBeenApplied || inFlight != null;
    }
    KvException failure = Failures.closed(rpc.name(), rpc.write(), applied);
    settle(f -> f.completeExceptionally(failure), "the client was closed");
  }

  private void startAttempt() {
    if (retriedPastDeadline()) {
      return;
    }
    Endpoint endpoint;
    ReqT request;
    synchronized (this) {
      if (settled) {
        return;
      }
      Router.Target target = null;
      if (rpc.routeHash() != null) {
        target = runtime.router().target(rpc.routeHash(), attempts).orElse(null);
        if (target == null) {
          runtime.router().fetchIfMissing(runtime.selector().first());
        }
      }
      if (target != null) {
        endpoint = target.endpoint();
        request = Routed.withEpoch(rpc.request(), target.epoch());
      } else {
        endpoint =
            attempts == 0 ? runtime.selector().first() : runtime.selector().after(lastEndpoint);
        request = rpc.request();
      }
      attempts++;
      lastEndpoint = endpoint;
      lastTarget = target;
    }
    AttemptProgress progress = new AttemptProgress();
    ClientCall<ReqT, RespT> call;
    try {
      Deadline attemptDeadline =
          deadline.minimum(
              Deadline.after(runtime.config().attemptTimeout().toNanos(), TimeUnit.NANOSECONDS));
      CallOptions options =
          CallOptions.DEFAULT.withDeadline(attemptDeadline).withStreamTracerFactory(progress);
      call = runtime.channels().channelFor(endpoint).newCall(rpc.method(), options);
    } catch (RuntimeException e) {
      onAttemptFailed(AttemptFailure.of(endpoint, e, progress));
      return;
    }
    synchronized (this) {
      if (settled) {
        return;
      }
      inFlight = call;
    }
    try {
      ClientCalls.asyncUnaryCall(call, request, new AttemptObserver(endpoint, progress));
    } catch (RuntimeException e) {
      onAttemptFailed(AttemptFailure.of(endpoint, e, progress));
    }
  }

  private void onAttemptSucceeded(Endpoint endpoint, RespT response) {
    synchronized (this) {
      if (settled) {
        return;
      }
      inFlight = null;
    }
    runtime.selector().succeeded(endpoint);
    Routed.header(response).ifPresent(runtime.router()::observe);
    T value;
    try {
      value = rpc.result().apply(response);
    } catch (RuntimeException e) {
      KvException failure = Failures.unreadableReply(rpc.name(), endpoint, rpc.write(), e);
      settle(f -> f.completeExceptionally(failure), null);
      return;
    }
    settle(f -> f.complete(value), null);
  }

  /**
   * A retry whose timer fired past the deadline (late, on a busy machine) cannot get an answer:
   * the operation ends with the failure that led to the retry, not with an instant
   * DEADLINE_EXCEEDED of the retry's own, which would hide why it failed.
   */
  private boolean retriedPastDeadline() {
    AttemptFailure failure;
    int attemptNumber;
    boolean applied;
    synchronized (this) {
      if (settled || lastFailure == null || !deadline.isExpired()) {
        return false;
      }
      failure = lastFailure;
      attemptNumber = attempts;
      applied = mayHaveBeenApplied;
    }
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    KvException error =
        Failures.gaveUp(rpc.name(), failure, rpc.write(), applied, attemptNumber, elapsedMillis);
    settle(f -> f.completeExceptionally(error), null);
    return true;
  }

  private void onAttemptFailed(AttemptFailure failure) {
    int attemptNumber;
    boolean applied;
    Router.Target target;
    synchronized (this) {
      if (settled) {
        return;
      }
      inFlight = null;
      lastFailure = failure;
      target = lastTarget;
      mayHaveBeenApplied |= failure.mayHaveBeenApplied();
      applied = mayHaveBeenApplied;
      attemptNumber = attempts;
    }
    if (failure.connectionRefused()) {
      runtime.selector().refusedConnection(failure.endpoint());
    }
    // A routing error carries the newer map: the retry goes out at once, routed by it.
    boolean rerouted =
        failure.code() == io.grpc.Status.Code.ABORTED
            && runtime.router().adoptFromTrailers(io.grpc.Status.trailersFromThrowable(failure.error()));
    if (target != null && failure.code() != io.grpc.Status.Code.ABORTED) {
      runtime.router().leaderFailed(target.group(), failure.endpoint());
    }

    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    RetryPolicy policy = runtime.config().retryPolicy();
    if (!policy.isRetryable(failure.code())) {
      KvException error =
          Failures.rejected(
              rpc.name(), failure, rpc.write(), applied, attemptNumber, elapsedMillis);
      settle(f -> f.completeExceptionally(error), null);
      return;
    }
    long delayNanos =
        rerouted ? 0 : policy.backoffNanos(attemptNumber, ThreadLocalRandom.current().nextDouble());
    long minAttemptNanos =
        Math.min(MIN_RETRY_TIME_NANOS, runtime.config().attemptTimeout().toNanos());
    // A retry with almost no time left cannot get an answer; for a write it would only turn a
    // definite "not applied" into "unknown" by timing out after sending.
    if (deadline.timeRemaining(TimeUnit.NANOSECONDS) - delayNanos < minAttemptNanos) {
      KvException error =
          Failures.gaveUp(rpc.name(), failure, rpc.write(), applied, attemptNumber, elapsedMillis);
      settle(f -> f.completeExceptionally(error), null);
      return;
    }
    if (log.isDebugEnabled()) {
      log.debug(
          "{} attempt {} failed with {}; retrying in {} ms",
          rpc.name(),
          attemptNumber,
          failure.describe(),
          TimeUnit.NANOSECONDS.toMillis(delayNanos));
    }
    scheduleRetry(delayNanos);
  }

  private void scheduleRetry(long delayNanos) {
    ScheduledFuture<?> retry;
    try {
      retry = runtime.scheduler().schedule(this::startAttempt, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      abortBecauseClosed();
      return;
    }
    synchronized (this) {
      if (!settled) {
        pendingRetry = retry;
        return;
      }
    }
    retry.cancel(false);
  }

  /**
   * Ends the operation once: stops whatever is pending, releases it, then delivers the outcome.
   *
   * @param outcome completes the future; null when it is already complete (cancelled)
   * @param cancelReason why an attempt still in flight is cancelled
   */
  private void settle(Consumer<CompletableFuture<T>> outcome, String cancelReason) {
    ClientCall<ReqT, RespT> call;
    ScheduledFuture<?> retry;
    synchronized (this) {
      if (settled) {
        return;
      }
      settled = true;
      call = inFlight;
      retry = pendingRetry;
      inFlight = null;
      pendingRetry = null;
    }
    if (retry != null) {
      retry.cancel(false);
    }
    if (call != null) {
      call.cancel(cancelReason, null);
    }
    runtime.forget(this);
    // Before delivery, so that a write chained onto this one already sees it as finished.
    onSettled.run();
    if (outcome != null) {
      runtime.deliver(() -> outcome.accept(result));
    }
  }

  /** Receives the reply of one attempt. gRPC calls it serially. */
  private final class AttemptObserver implements StreamObserver<RespT> {
    private final Endpoint endpoint;
    private final AttemptProgress progress;
    private RespT response;

    AttemptObserver(Endpoint endpoint, AttemptProgress progress) {
      this.endpoint = endpoint;
      this.progress = progress;
    }

    @Override
    public void onNext(RespT value) {
      response = value;
    }

    @Override
    public void onError(Throwable error) {
      onAttemptFailed(AttemptFailure.of(endpoint, error, progress));
    }

    @Override
    public void onCompleted() {
      onAttemptSucceeded(endpoint, response);
    }
  }
}
