package dev.kv.client.internal;

import com.google.protobuf.ByteString;
import dev.kv.api.v1.CompareAndSetRequest;
import dev.kv.api.v1.DeleteRequest;
import dev.kv.api.v1.DeleteResponse;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.KeyHash;
import dev.kv.api.v1.KVGrpc;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.PutResponse;
import dev.kv.api.v1.ScanRequest;
import dev.kv.client.CasResult;
import dev.kv.client.Condition;
import dev.kv.client.KeyValue;
import dev.kv.client.KvInvalidArgumentException;
import dev.kv.client.KvOperations;
import dev.kv.client.ReadConsistency;
import dev.kv.client.ScanOptions;
import dev.kv.client.ScanPage;
import dev.kv.client.VersionedValue;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The data operations with one timeout: validates arguments, builds the protocol request and hands
 * it to the {@link ClientRuntime}. Blocking methods wait for their asynchronous twin.
 */
class KvOperationsImpl implements KvOperations {
  final ClientRuntime runtime;
  private final Duration timeout;

  KvOperationsImpl(ClientRuntime runtime, Duration timeout) {
    this.runtime = runtime;
    this.timeout = timeout;
  }

  @Override
  public Optional<VersionedValue> get(byte[] key) {
    return get(key, ReadConsistency.LINEARIZABLE);
  }

  @Override
  public Optional<VersionedValue> get(byte[] key, ReadConsistency consistency) {
    return Blocking.awaitRead(getAsync(key, consistency));
  }

  @Override
  public CompletableFuture<Optional<VersionedValue>> getAsync(byte[] key) {
    return getAsync(key, ReadConsistency.LINEARIZABLE);
  }

  @Override
  public CompletableFuture<Optional<VersionedValue>> getAsync(
      byte[] key, ReadConsistency consistency) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(consistency, "consistency");
    return unlessInvalid(
        () -> {
          runtime.validator().checkKey(key);
          GetRequest request =
              GetRequest.newBuilder()
                  .setKey(ByteString.copyFrom(key))
                  .setConsistency(ProtoMapping.toProto(consistency))
                  .build();
          return runtime.read(
              "Get", KVGrpc.getGetMethod(), request, ProtoMapping::toVersionedValue, timeout,
              KeyHash.of(key));
        });
  }

  @Override
  public long put(byte[] key, byte[] value) {
    return Blocking.awaitWrite(putAsync(key, value));
  }

  @Override
  public CompletableFuture<Long> putAsync(byte[] key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return unlessInvalid(
        () -> {
          runtime.validator().checkKey(key);
          runtime.validator().checkValue(value);
          ByteString keyBytes = ByteString.copyFrom(key);
          ByteString valueBytes = ByteString.copyFrom(value);
          return runtime.write(
              "Put",
              KVGrpc.getPutMethod(),
              writeId ->
                  PutRequest.newBuilder()
                      .setKey(keyBytes)
                      .setValue(valueBytes)
                      .setWriteId(writeId)
                      .build(),
              PutResponse::getVersion,
              timeout,
              KeyHash.of(key));
        });
  }

  @Override
  public boolean delete(byte[] key) {
    return Blocking.awaitWrite(deleteAsync(key));
  }

  @Override
  public CompletableFuture<Boolean> deleteAsync(byte[] key) {
    Objects.requireNonNull(key, "key");
    return unlessInvalid(
        () -> {
          runtime.validator().checkKey(key);
          ByteString keyBytes = ByteString.copyFrom(key);
          return runtime.write(
              "Delete",
              KVGrpc.getDeleteMethod(),
              writeId -> DeleteRequest.newBuilder().setKey(keyBytes).setWriteId(writeId).build(),
              DeleteResponse::getExisted,
              timeout,
              KeyHash.of(key));
        });
  }

  @Override
  public CasResult compareAndSet(byte[] key, Condition condition, byte[] newValue) {
    return Blocking.awaitWrite(compareAndSetAsync(key, condition, newValue));
  }

  @Override
  public CompletableFuture<CasResult> compareAndSetAsync(
      byte[] key, Condition condition, byte[] newValue) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(condition, "condition");
    return unlessInvalid(
        () -> {
          runtime.validator().checkKey(key);
          runtime.validator().checkCondition(condition);
          if (newValue != null) {
            runtime.validator().checkValue(newValue);
          }
          CompareAndSetRequest.Builder template =
              CompareAndSetRequest.newBuilder()
                  .setKey(ByteString.copyFrom(key))
                  .setCondition(ProtoMapping.toProto(condition));
          if (newValue != null) {
            template.setPutValue(ByteString.copyFrom(newValue));
          } else {
            template.setDelete(true);
          }
          return runtime.write(
              "CompareAndSet",
              KVGrpc.getCompareAndSetMethod(),
              writeId -> template.clone().setWriteId(writeId).build(),
              ProtoMapping::toCasResult,
              timeout,
              KeyHash.of(key));
        });
  }

  @Override
  public ScanPage scan(ScanOptions options) {
    return Blocking.awaitRead(scanAsync(options));
  }

  @Override
  public CompletableFuture<ScanPage> scanAsync(ScanOptions options) {
    Objects.requireNonNull(options, "options");
    return unlessInvalid(
        () -> {
          runtime.validator().checkScanLimit(options.limit());
          ScanRequest request =
              ScanRequest.newBuilder()
                  .setCursor(ByteString.copyFrom(options.cursor()))
                  .setLimit(options.limit())
                  .setKeyPrefix(ByteString.copyFrom(options.prefix()))
                  .setKeysOnly(options.keysOnly())
                  .setConsistency(ProtoMapping.toProto(options.consistency()))
                  .build();
          return runtime.read(
              "Scan", KVGrpc.getScanMethod(), request, ProtoMapping::toScanPage, timeout, null);
        });
  }

  @Override
  public Stream<KeyValue> scanAll(ScanOptions options) {
    Objects.requireNonNull(options, "options");
    // Validate now, so a bad limit fails here rather than at the stream's first use.
    runtime.validator().checkScanLimit(options.limit());
    return ScanIterator.stream(this, options);
  }

  @Override
  public KvOperations withTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "timeout is " + timeout.toMillis() + " ms; it must be positive");
    }
    return new KvOperationsImpl(runtime, timeout);
  }

  /** Reports an invalid argument through the future, like every other failure. */
  private static <T> CompletableFuture<T> unlessInvalid(Supplier<CompletableFuture<T>> operation) {
    try {
      return operation.get();
    } catch (KvInvalidArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
