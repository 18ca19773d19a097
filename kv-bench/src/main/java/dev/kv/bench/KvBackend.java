package dev.kv.bench;

import dev.kv.client.KvClient;
import dev.kv.client.KvException;
import dev.kv.client.KvOutcomeUnknownException;
import dev.kv.client.ReadConsistency;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Our store through our SDK: one shared {@link KvClient} for all simulated clients, as the SDK
 * recommends, with its defaults (10 s per operation, retries included; writes exactly-once). The
 * SDK sends every call to the node that last answered (the first endpoint, at first), which
 * forwards what it cannot serve itself to the leader; so unlike jetcd it does not spread calls.
 */
public final class KvBackend implements Backend {
  private final KvClient client;

  public KvBackend(KvClient client) {
    this.client = client;
  }

  public static KvBackend connect(List<String> endpoints) {
    return new KvBackend(KvClient.builder().endpoints(endpoints).build());
  }

  @Override
  public String name() {
    return "kv";
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return client.putAsync(key, value);
  }

  @Override
  public CompletableFuture<?> getLinearizable(byte[] key) {
    return client.getAsync(key, ReadConsistency.LINEARIZABLE);
  }

  @Override
  public CompletableFuture<?> getSerializable(byte[] key) {
    return client.getAsync(key, ReadConsistency.SERIALIZABLE);
  }

  /**
   * The gRPC status that decided the outcome ("UNAVAILABLE", ...), marked when the SDK says a write
   * may have been applied.
   */
  @Override
  public String errorKind(Throwable error) {
    if (error instanceof KvOutcomeUnknownException unknown) {
      return unknown.code().name() + " (outcome unknown)";
    }
    if (error instanceof KvException kv) {
      return kv.code().name();
    }
    return Backend.super.errorKind(error);
  }

  @Override
  public void close() {
    client.close();
  }
}
