package dev.kv.bench.ycsb;

import dev.kv.client.CasResult;
import dev.kv.client.Condition;
import dev.kv.client.KeyValue;
import dev.kv.client.KvOperations;
import dev.kv.client.ReadConsistency;
import dev.kv.client.ScanOptions;
import dev.kv.client.ScanPage;
import dev.kv.client.VersionedValue;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The blocking operations of kv over a map, for the binding's tests; async ones are unsupported.
 * {@link #beforeCas} runs before each compare-and-set, to simulate a concurrent writer.
 */
final class InMemoryKv implements KvOperations {
  final Map<ByteBuffer, VersionedValue> data = new TreeMap<>();
  Runnable beforeCas = () -> {};
  Supplier<RuntimeException> failure = () -> null;
  int casCalls;

  private void maybeFail() {
    RuntimeException e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  @Override
  public Optional<VersionedValue> get(byte[] key) {
    return get(key, ReadConsistency.LINEARIZABLE);
  }

  @Override
  public synchronized Optional<VersionedValue> get(byte[] key, ReadConsistency consistency) {
    maybeFail();
    return Optional.ofNullable(data.get(ByteBuffer.wrap(key.clone())));
  }

  @Override
  public synchronized long put(byte[] key, byte[] value) {
    maybeFail();
    VersionedValue old = data.get(ByteBuffer.wrap(key));
    long version = old == null ? 1 : old.version() + 1;
    data.put(ByteBuffer.wrap(key.clone()), new VersionedValue(value, version));
    return version;
  }

  @Override
  public synchronized boolean delete(byte[] key) {
    maybeFail();
    return data.remove(ByteBuffer.wrap(key)) != null;
  }

  @Override
  public CasResult compareAndSet(byte[] key, Condition condition, byte[] newValue) {
    casCalls++;
    beforeCas.run();
    synchronized (this) {
      maybeFail();
      VersionedValue current = data.get(ByteBuffer.wrap(key));
      long version = current == null ? 0 : current.version();
      boolean holds =
          condition instanceof Condition.VersionEquals v
              ? v.version() == version
              : condition instanceof Condition.Absent && current == null;
      if (!holds) {
        return new CasResult(false, version);
      }
      if (newValue == null) {
        data.remove(ByteBuffer.wrap(key));
        return new CasResult(true, 0);
      }
      data.put(ByteBuffer.wrap(key.clone()), new VersionedValue(newValue, version + 1));
      return new CasResult(true, version + 1);
    }
  }

  @Override
  public synchronized Stream<KeyValue> scanAll(ScanOptions options) {
    maybeFail();
    byte[] prefix = options.prefix();
    List<KeyValue> out = new ArrayList<>();
    data.forEach(
        (k, v) -> {
          byte[] key = new byte[k.remaining()];
          k.duplicate().get(key);
          if (key.length >= prefix.length
              && Arrays.equals(Arrays.copyOf(key, prefix.length), prefix)) {
            out.add(new KeyValue(key, v.value(), v.version()));
          }
        });
    return out.stream();
  }

  @Override
  public CompletableFuture<Optional<VersionedValue>> getAsync(byte[] key) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<Optional<VersionedValue>> getAsync(
      byte[] key, ReadConsistency consistency) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<Long> putAsync(byte[] key, byte[] value) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<Boolean> deleteAsync(byte[] key) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<CasResult> compareAndSetAsync(
      byte[] key, Condition condition, byte[] newValue) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScanPage scan(ScanOptions options) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<ScanPage> scanAsync(ScanOptions options) {
    throw new UnsupportedOperationException();
  }

  @Override
  public KvOperations withTimeout(Duration timeout) {
    return this;
  }
}
