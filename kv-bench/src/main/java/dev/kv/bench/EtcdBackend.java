package dev.kv.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.options.GetOption;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * etcd through jetcd: one shared {@link Client} for all simulated clients (jetcd's default gRPC
 * load balancing is round_robin, so calls are spread over all members). A linearizable get is
 * jetcd's default; a serializable one sets {@code GetOption.withSerializable(true)}, answered by
 * the member that receives it. Each operation gets the same 10 s bound as the kv SDK's default
 * timeout, so a stuck call is counted as a failure rather than stalling its simulated client.
 */
public final class EtcdBackend implements Backend {
  static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(10);
  private static final GetOption SERIALIZABLE = GetOption.builder().withSerializable(true).build();

  private final Client client;
  private final KV kv;

  private EtcdBackend(Client client) {
    this.client = client;
    this.kv = client.getKVClient();
  }

  /** Endpoints as "host:port" or "http://host:port". */
  public static EtcdBackend connect(List<String> endpoints) {
    String[] urls =
        endpoints.stream().map(e -> e.contains("://") ? e : "http://" + e).toArray(String[]::new);
    return new EtcdBackend(Client.builder().endpoints(urls).build());
  }

  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return bounded(kv.put(ByteSequence.from(key), ByteSequence.from(value)));
  }

  @Override
  public CompletableFuture<?> getLinearizable(byte[] key) {
    return bounded(kv.get(ByteSequence.from(key)));
  }

  @Override
  public CompletableFuture<?> getSerializable(byte[] key) {
    return bounded(kv.get(ByteSequence.from(key), SERIALIZABLE));
  }

  @Override
  public String errorKind(Throwable error) {
    if (error instanceof EtcdException etcd) {
      return etcd.getErrorCode().name();
    }
    if (error instanceof StatusRuntimeException grpc) {
      return grpc.getStatus().getCode().name();
    }
    Status status = Status.fromThrowable(error);
    if (status.getCode() != Status.Code.UNKNOWN) {
      return status.getCode().name();
    }
    return Backend.super.errorKind(error);
  }

  @Override
  public void close() {
    client.close();
  }

  private static <T> CompletableFuture<T> bounded(CompletableFuture<T> call) {
    return call.orTimeout(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
