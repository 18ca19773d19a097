package dev.kv.client.internal;

import dev.kv.api.v1.WriteId;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Everything one client shares between its operations and releases on close: channels, endpoint
 * choice, the retry timer, write numbering and the set of operations in flight. Starts operations;
 * the retry logic itself lives in {@link RetryingCall}.
 */
final class ClientRuntime implements AutoCloseable {
  /** How long an endpoint that refused a connection is passed over. */
  private static final Duration REFUSED_COOLDOWN = Duration.ofSeconds(1);

  /** Bound on how long close() waits for channels to terminate. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private static final AtomicInteger CLIENT_NUMBER = new AtomicInteger();

  private final ClientConfig config;
  private final ChannelPool channels;
  private final EndpointSelector selector;
  private final ScheduledExecutorService scheduler;
  private final WriteSequencer sequencer;
  private final RequestValidator validator;
  private final Router router;
  private final Set<RetryingCall<?, ?, ?>> active = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  ClientRuntime(ClientConfig config) {
    this.config = config;
    this.channels = new ChannelPool(config.channelFactory());
    this.selector =
        new EndpointSelector(config.endpoints(), System::nanoTime, REFUSED_COOLDOWN.toNanos());
    this.sequencer = new WriteSequencer(config.clientId());
    this.validator = new RequestValidator(config.limits());
    this.router = new Router(channels::channelFor);
    String threadName = "kv-client-" + CLIENT_NUMBER.incrementAndGet() + "-retry";
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, threadName);
              // An application that forgets close() must still be able to exit.
              thread.setDaemon(true);
              return thread;
            });
    // A cancelled retry would otherwise stay queued until its time comes.
    timer.setRemoveOnCancelPolicy(true);
    this.scheduler = timer;
  }

  /** Starts a read; its future settles with the converted reply or a KvException. */
  <ReqT, RespT, T> CompletableFuture<T> read(
      String name,
      MethodDescriptor<ReqT, RespT> method,
      ReqT request,
      Function<RespT, T> result,
      Duration timeout,
      Long routeHash) {
    checkOpen();
    return start(new Rpc<>(name, method, request, false, result, routeHash), timeout, () -> {});
  }

  /**
   * Starts a write under a new write id; the id is built into the request once and re-sent
   * unchanged by every retry.
   */
  <ReqT, RespT, T> CompletableFuture<T> write(
      String name,
      MethodDescriptor<ReqT, RespT> method,
      Function<WriteId, ReqT> request,
      Function<RespT, T> result,
      Duration timeout,
      long routeHash) {
    checkOpen();
    WriteId writeId = sequencer.begin();
    Rpc<ReqT, RespT, T> rpc;
    try {
      rpc = new Rpc<>(name, method, request.apply(writeId), true, result, routeHash);
    } catch (RuntimeException e) {
      sequencer.finish(writeId.getSequence());
      throw e;
    }
    return start(rpc, timeout, () -> sequencer.finish(writeId.getSequence()));
  }

  private <ReqT, RespT, T> CompletableFuture<T> start(
      Rpc<ReqT, RespT, T> rpc, Duration timeout, Runnable onSettled) {
    Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
    RetryingCall<ReqT, RespT, T> call = new RetryingCall<>(this, rpc, deadline, onSettled);
    active.add(call);
    // close() may have swept the active set between checkOpen() and add(); then nobody else
    // would end this call.
    if (closed.get()) {
      call.abortBecauseClosed();
    } else {
      call.start();
    }
    return call.result();
  }

  /** Completes a future on the configured callback executor, or inline without one. */
  void deliver(Runnable completion) {
    Executor executor = config.callbackExecutor();
    if (executor == null) {
      completion.run();
      return;
    }
    try {
      executor.execute(completion);
    } catch (RejectedExecutionException e) {
      // A future that never completes would be worse than one completed on the wrong thread.
      completion.run();
    }
  }

  void forget(RetryingCall<?, ?, ?> call) {
    active.remove(call);
  }

  ClientConfig config() {
    return config;
  }

  ChannelPool channels() {
    return channels;
  }

  EndpointSelector selector() {
    return selector;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  Router router() {
    return router;
  }

  RequestValidator validator() {
    return validator;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (RetryingCall<?, ?, ?> call : List.copyOf(active)) {
      call.abortBecauseClosed();
    }
    scheduler.shutdownNow();
    channels.close(CLOSE_GRACE);
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("KvClient is closed");
    }
  }
}
