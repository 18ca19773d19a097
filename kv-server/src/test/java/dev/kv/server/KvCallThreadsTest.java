package dev.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.GetResponse;
import dev.kv.api.v1.KVGrpc;
import dev.kv.server.raft.Daemons;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where the API server runs calls: a KV call on the Netty thread that read it (no hand-off to a
 * pool), anything else on the node's pool, where it may block. The KV service here only records
 * its thread; the server is configured as KvNode configures its own.
 */
class KvCallThreadsTest {
  private final AtomicReference<String> kvThread = new AtomicReference<>();
  private final AtomicReference<String> healthThread = new AtomicReference<>();
  private ExecutorService otherCalls;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    otherCalls = Daemons.cachedPool("kv-api-calls");
    KVGrpc.KVImplBase kv =
        new KVGrpc.KVImplBase() {
          @Override
          public void get(GetRequest request, StreamObserver<GetResponse> reply) {
            kvThread.set(Thread.currentThread().getName());
            reply.onNext(GetResponse.getDefaultInstance());
            reply.onCompleted();
          }
        };
    server =
        KvNode.kvCallsOnTransportThreads(
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), otherCalls)
            .addService(kv)
            .addService(
                new HealthGrpc.HealthImplBase() {
                  @Override
                  public void check(
                      HealthCheckRequest request, StreamObserver<HealthCheckResponse> reply) {
                    healthThread.set(Thread.currentThread().getName());
                    reply.onNext(HealthCheckResponse.getDefaultInstance());
                    reply.onCompleted();
                  }
                })
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    otherCalls.shutdownNow();
  }

  @Test
  void kvCallsRunOnTheTransportThreadThatReadThem() {
    for (int i = 0; i < 20; i++) {
      KVGrpc.newBlockingStub(channel).get(GetRequest.getDefaultInstance());
      // grpc-netty names its event loop threads grpc-default-worker-ELG-N-M (epoll) or
      // grpc-nio-worker-ELG-N-M; its default pool's are grpc-default-executor-N.
      assertThat(kvThread.get()).as("call %d", i).contains("worker-ELG");
    }
  }

  @Test
  void otherCallsRunOnTheNodesPool() {
    HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
    assertThat(healthThread.get()).startsWith("kv-api-calls-");
  }
}
