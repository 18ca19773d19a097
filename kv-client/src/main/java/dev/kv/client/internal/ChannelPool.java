package dev.kv.client.internal;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Owns one channel per endpoint: created on first use, shut down in {@link #close}. Channels are
 * never handed out after close, so none can leak.
 */
final class ChannelPool {
  private final Function<String, ManagedChannel> factory;

  // Guarded by this.
  private final Map<Endpoint, ManagedChannel> channels = new HashMap<>();
  private boolean closed;

  ChannelPool(Function<String, ManagedChannel> factory) {
    this.factory = factory;
  }

  synchronized ManagedChannel channelFor(Endpoint endpoint) {
    if (closed) {
      throw new IllegalStateException("KvClient is closed");
    }
    ManagedChannel channel = channels.computeIfAbsent(endpoint, e -> factory.apply(e.toString()));
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      // The selector only comes back to a failed endpoint after a cool-down; by then gRPC's own
      // reconnect backoff (up to two minutes) must not keep failing calls to a node that is back.
      channel.resetConnectBackoff();
    }
    return channel;
  }

  /**
   * Shuts every channel down and waits up to {@code grace} in total for them to terminate, then
   * forces the rest. Restores the interrupt flag if interrupted.
   */
  void close(Duration grace) {
    List<ManagedChannel> toClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(channels.values());
    }
    toClose.forEach(ManagedChannel::shutdown);
    long deadline = System.nanoTime() + grace.toNanos();
    try {
      for (ManagedChannel channel : toClose) {
        channel.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      toClose.forEach(ManagedChannel::shutdownNow);
    }
  }
}
