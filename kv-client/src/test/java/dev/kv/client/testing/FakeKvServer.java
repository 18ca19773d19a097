package dev.kv.client.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.kv.api.v1.CompareAndSetRequest;
import dev.kv.api.v1.CompareAndSetResponse;
import dev.kv.api.v1.Condition;
import dev.kv.api.v1.DeleteRequest;
import dev.kv.api.v1.DeleteResponse;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.GetResponse;
import dev.kv.api.v1.KVGrpc;
import dev.kv.api.v1.KeyValue;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.PutResponse;
import dev.kv.api.v1.ScanRequest;
import dev.kv.api.v1.ScanResponse;
import dev.kv.api.v1.WriteId;
import dev.kv.client.KvClient;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.NavigableMap;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A fault-injecting KV service on gRPC's in-process transport, for testing the SDK's retry,
 * failover and exactly-once behaviour. It is deliberately small and is not a model of the real
 * server: one in-memory map, write results remembered by (client id, sequence) so that a retried
 * write gets its first answer, and a queue of {@link Fault faults} consumed one per call.
 *
 * <p>Its endpoint name is a "host:port" string that names no real socket; build clients with {@link
 * #channel} as the channel factory. Endpoints with no running fake refuse connections.
 */
public final class FakeKvServer implements AutoCloseable {
  private static final AtomicInteger NEXT_ID = new AtomicInteger();

  private final String endpoint;
  private final Server server;

  // Guarded by this.
  private final NavigableMap<ByteString, Versioned> store =
      new TreeMap<>(ByteString.unsignedLexicographicalComparator());
  private final Map<WriteKey, Message> writeResults = new HashMap<>();
  private final List<Message> requests = new ArrayList<>();
  private final Queue<Fault> faults = new ArrayDeque<>();
  private Fault everyCall;

  private FakeKvServer(ServerBuilder<?> builder, String host) {
    try {
      this.server = builder.addService(new Service()).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.endpoint = host != null ? host + ":" + server.getPort() : null;
  }

  private FakeKvServer(String inProcessName) {
    try {
      this.server =
          InProcessServerBuilder.forName(inProcessName).addService(new Service()).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.endpoint = inProcessName;
  }

  /** Starts a fake on the in-process transport under a fresh endpoint name. */
  public static FakeKvServer start() {
    return new FakeKvServer(unusedEndpoint());
  }

  /**
   * Starts a fake on a real socket (Netty, plaintext) on a free loopback port, for the few tests
   * about what only a real transport does. Clients reach it with the default channel factory.
   */
  public static FakeKvServer startOnLoopback() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    return new FakeKvServer(
        NettyServerBuilder.forAddress(new InetSocketAddress(loopback, 0)),
        loopback.getHostAddress());
  }

  /** An endpoint name that no fake serves: connections to it are refused. */
  public static String unusedEndpoint() {
    return "fake-" + NEXT_ID.incrementAndGet() + ":7001";
  }

  /** Channel factory for {@code KvClient.Builder.channelFactory}. */
  public static ManagedChannel channel(String endpoint) {
    return InProcessChannelBuilder.forName(endpoint).build();
  }

  /**
   * A client builder wired to the fakes, with short pauses between retries so that tests stay fast.
   * Tests override the timeouts they are about.
   */
  public static KvClient.Builder clientFor(String... endpoints) {
    return KvClient.builder()
        .endpoints(endpoints)
        .channelFactory(FakeKvServer::channel)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
        .timeout(Duration.ofSeconds(10))
        .attemptTimeout(Duration.ofSeconds(5));
  }

  public String endpoint() {
    return endpoint;
  }

  /** Applies these faults to the next calls, one each, in order; later calls behave normally. */
  public synchronized FakeKvServer enqueue(Fault... next) {
    faults.addAll(List.of(next));
    return this;
  }

  /** Applies this fault to every call once the queue is empty (null: behave normally). */
  public synchronized FakeKvServer always(Fault fault) {
    everyCall = fault;
    return this;
  }

  /** Every request received, in arrival order, faulty calls included. */
  public synchronized List<Message> requests() {
    return List.copyOf(requests);
  }

  public synchronized int requestCount() {
    return requests.size();
  }

  /** Waits until at least {@code count} requests have arrived (at most 10 s, then fails). */
  public synchronized void awaitRequestCount(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (requests.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "expected " + count + " requests, got " + requests.size() + " in 10 s");
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** The write ids of the write requests received, in arrival order. */
  public synchronized List<WriteId> writeIds() {
    List<WriteId> ids = new ArrayList<>();
    for (Message request : requests) {
      if (request instanceof PutRequest put) {
        ids.add(put.getWriteId());
      } else if (request instanceof DeleteRequest delete) {
        ids.add(delete.getWriteId());
      } else if (request instanceof CompareAndSetRequest cas) {
        ids.add(cas.getWriteId());
      }
    }
    return ids;
  }

  /** The stored version of a key, 0 when absent. */
  public synchronized long version(String key) {
    Versioned current = store.get(ByteString.copyFromUtf8(key));
    return current == null ? 0 : current.version();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private record Versioned(ByteString value, long version) {}

  private record WriteKey(ByteString clientId, long sequence) {}

  /**
   * Runs one call: records it, applies the next fault, and otherwise answers with {@code logic}.
   */
  private <T extends Message> void handle(
      Message request, WriteId writeId, StreamObserver<T> reply, Supplier<T> logic) {
    Fault fault;
    synchronized (this) {
      requests.add(request);
      notifyAll();
      fault = faults.isEmpty() ? everyCall : faults.poll();
    }
    if (fault instanceof Fault.Respond respond) {
      reply.onError(respond.status().asRuntimeException());
      return;
    }
    if (fault instanceof Fault.Hang hang) {
      if (hang.apply()) {
        applyOnce(writeId, logic);
      }
      return;
    }
    if (fault instanceof Fault.AnswerAfter after) {
      after.gate().thenRun(() -> {
        reply.onNext(applyOnce(writeId, logic));
        reply.onCompleted();
      });
      return;
    }
    reply.onNext(applyOnce(writeId, logic));
    reply.onCompleted();
  }

  private synchronized <T extends Message> T applyOnce(WriteId writeId, Supplier<T> logic) {
    if (writeId == null || writeId.getClientId().isEmpty()) {
      return logic.get();
    }
    WriteKey key = new WriteKey(writeId.getClientId(), writeId.getSequence());
    @SuppressWarnings("unchecked")
    T first = (T) writeResults.get(key);
    if (first != null) {
      return first;
    }
    T result = logic.get();
    writeResults.put(key, result);
    return result;
  }

  private synchronized long write(ByteString key, ByteString value) {
    Versioned old = store.get(key);
    long version = old == null ? 1 : old.version() + 1;
    store.put(key, new Versioned(value, version));
    return version;
  }

  private synchronized boolean holds(Condition condition, Versioned current) {
    return switch (condition.getKindCase()) {
      case VERSION_EQUALS -> current != null && current.version() == condition.getVersionEquals();
      case VALUE_EQUALS -> current != null && current.value().equals(condition.getValueEquals());
      case ABSENT -> current == null;
      case KIND_NOT_SET -> false;
    };
  }

  private synchronized ScanResponse scan(ScanRequest request) {
    int limit = request.getLimit() == 0 ? 100 : request.getLimit();
    NavigableMap<ByteString, Versioned> rest =
        request.getCursor().isEmpty() ? store : store.tailMap(request.getCursor(), false);
    ScanResponse.Builder page = ScanResponse.newBuilder();
    ByteString last = null;
    for (Entry<ByteString, Versioned> entry : rest.entrySet()) {
      if (page.getEntriesCount() == limit) {
        page.setNextCursor(last);
        break;
      }
      last = entry.getKey();
      if (entry.getKey().startsWith(request.getKeyPrefix())) {
        KeyValue.Builder kv =
            KeyValue.newBuilder().setKey(entry.getKey()).setVersion(entry.getValue().version());
        if (!request.getKeysOnly()) {
          kv.setValue(entry.getValue().value());
        }
        page.addEntries(kv);
      }
    }
    return page.build();
  }

  /** The protocol surface; every method goes through {@link #handle}. */
  private final class Service extends KVGrpc.KVImplBase {
    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> reply) {
      handle(
          request,
          null,
          reply,
          () -> {
            synchronized (FakeKvServer.this) {
              Versioned current = store.get(request.getKey());
              return current == null
                  ? GetResponse.newBuilder().setFound(false).build()
                  : GetResponse.newBuilder()
                      .setFound(true)
                      .setValue(current.value())
                      .setVersion(current.version())
                      .build();
            }
          });
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> reply) {
      handle(
          request,
          request.getWriteId(),
          reply,
          () ->
              PutResponse.newBuilder()
                  .setVersion(write(request.getKey(), request.getValue()))
                  .build());
    }

    @Override
    public void delete(DeleteRequest request, StreamObserver<DeleteResponse> reply) {
      handle(
          request,
          request.getWriteId(),
          reply,
          () -> {
            synchronized (FakeKvServer.this) {
              boolean existed = store.remove(request.getKey()) != null;
              return DeleteResponse.newBuilder().setExisted(existed).build();
            }
          });
    }

    @Override
    public void compareAndSet(
        CompareAndSetRequest request, StreamObserver<CompareAndSetResponse> reply) {
      handle(
          request,
          request.getWriteId(),
          reply,
          () -> {
            synchronized (FakeKvServer.this) {
              Versioned current = store.get(request.getKey());
              if (!holds(request.getCondition(), current)) {
                return CompareAndSetResponse.newBuilder()
                    .setSucceeded(false)
                    .setVersion(current == null ? 0 : current.version())
                    .build();
              }
              long version;
              if (request.hasDelete()) {
                store.remove(request.getKey());
                version = 0;
              } else {
                version = write(request.getKey(), request.getPutValue());
              }
              return CompareAndSetResponse.newBuilder()
                  .setSucceeded(true)
                  .setVersion(version)
                  .build();
            }
          });
    }

    @Override
    public void scan(ScanRequest request, StreamObserver<ScanResponse> reply) {
      handle(request, null, reply, () -> FakeKvServer.this.scan(request));
    }
  }
}
