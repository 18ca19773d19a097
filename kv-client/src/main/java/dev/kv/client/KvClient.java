package dev.kv.client;

import dev.kv.api.Limits;
import dev.kv.client.internal.ClientConfig;
import dev.kv.client.internal.DefaultKvClient;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * A connection to a key-value cluster: the {@link KvOperations data operations} with the builder's
 * default timeout, plus the connections and threads behind them, released by {@link #close()}.
 *
 * <pre>{@code
 * try (KvClient kv = KvClient.builder().endpoints("10.0.0.1:7001", "10.0.0.2:7001").build()) {
 *   long version = kv.put("greeting", "hello");
 *   kv.get("greeting").ifPresent(v -> System.out.println(v.valueAsString()));
 * }
 * }</pre>
 *
 * <p>Create one client per cluster and share it: it is thread-safe, and its writes are numbered per
 * client for exactly-once retries.
 */
public interface KvClient extends KvOperations, AutoCloseable {

  static Builder builder() {
    return new Builder();
  }

  /**
   * Fails operations still in flight (a write that may have been sent fails with {@link
   * KvOutcomeUnknownException}), closes the connections and waits a bounded time for them to
   * terminate. Later calls throw {@link IllegalStateException}. Idempotent.
   */
  @Override
  void close();

  /**
   * Configures a {@link KvClient}. Every setting but the endpoints has a default; {@link #build()}
   * validates them all and names the setting it rejects.
   */
  final class Builder {
    private List<String> endpoints = List.of();
    private Duration timeout = Duration.ofSeconds(10);
    private Duration attemptTimeout = Duration.ofSeconds(3);
    private Duration initialBackoff = Duration.ofMillis(20);
    private Duration maxBackoff = Duration.ofSeconds(1);
    private Limits limits = Limits.DEFAULTS;
    private byte[] clientId;
    private Executor callbackExecutor;
    private Function<String, ManagedChannel> channelFactory;

    private Builder() {}

    /**
     * The nodes to talk to, as "host:port" (IPv6 as "[::1]:7001"). Required. The client starts with
     * the first and fails over round-robin; any node of the cluster can serve any key.
     */
    public Builder endpoints(List<String> endpoints) {
      this.endpoints = List.copyOf(endpoints);
      return this;
    }

    public Builder endpoints(String... endpoints) {
      return endpoints(Arrays.asList(endpoints));
    }

    /** Total time for one operation, retries included. Default 10 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Time for one attempt before it is abandoned and retried on the next endpoint. Default 3 s. An
     * abandoned write may still be applied; its retry is answered with the first result.
     */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = Objects.requireNonNull(attemptTimeout, "attemptTimeout");
      return this;
    }

    /**
     * Pause before retry n is {@code min(max, initial * 2^(n-1))}, scaled by a random factor in
     * [0.5, 1] so that clients do not retry in lockstep. Default 20 ms up to 1 s.
     */
    public Builder retryBackoff(Duration initial, Duration max) {
      this.initialBackoff = Objects.requireNonNull(initial, "initial");
      this.maxBackoff = Objects.requireNonNull(max, "max");
      return this;
    }

    /**
     * Limits checked before sending, to fail fast without a round trip. Use the server's limits if
     * it was configured with other values; the server's check is the one that counts. Default
     * {@link Limits#DEFAULTS}.
     */
    public Builder limits(Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * The 16-byte id under which the server remembers this client's writes for exactly-once
     * retries. Default: random. Never share one id between two live clients.
     */
    public Builder clientId(byte[] clientId) {
      this.clientId = Objects.requireNonNull(clientId, "clientId").clone();
      return this;
    }

    /**
     * Runs the completion of every future this client returns. Default: the gRPC transport thread
     * that read the reply, which is the cheapest, but whatever runs there (the actions of {@code
     * thenApply}, {@code whenComplete}...) must not block: that thread also reads the replies of
     * other calls. Set an executor when callbacks block or take long, with threads to spare: a
     * blocking call's own completion runs on it too. A blocking call of this client made on a
     * transport thread fails with {@link IllegalStateException} instead of waiting forever.
     */
    public Builder callbackExecutor(Executor callbackExecutor) {
      this.callbackExecutor = Objects.requireNonNull(callbackExecutor, "callbackExecutor");
      return this;
    }

    /**
     * Creates the channel for an endpoint (called at most once per endpoint, on first use), for
     * TLS, interceptors or an in-process transport. The client owns the channels it gets and shuts
     * them down on close. Default: plaintext, with an inbound message limit above the value limit.
     */
    public Builder channelFactory(Function<String, ManagedChannel> channelFactory) {
      this.channelFactory = Objects.requireNonNull(channelFactory, "channelFactory");
      return this;
    }

    /**
     * Validates the settings and creates the client; no connection is made until the first call.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public KvClient build() {
      ClientConfig config =
          ClientConfig.validated(
              endpoints,
              timeout,
              attemptTimeout,
              initialBackoff,
              maxBackoff,
              limits,
              clientId,
              callbackExecutor,
              channelFactory);
      return new DefaultKvClient(config);
    }
  }
}
