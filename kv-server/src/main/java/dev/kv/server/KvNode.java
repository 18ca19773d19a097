package dev.kv.server;

import dev.kv.api.v1.KVGrpc;
import dev.kv.server.api.KvService;
import dev.kv.server.config.NodeConfig;
import dev.kv.server.placement.ClusterMembership;
import dev.kv.server.metrics.MetricsHttpServer;
import dev.kv.server.metrics.NodeMetrics;
import dev.kv.server.metrics.RatisGroupStatus;
import dev.kv.server.placement.ClusterService;
import dev.kv.server.placement.MetaGroupProbe;
import dev.kv.server.raft.Daemons;
import dev.kv.server.raft.RaftNode;
import java.time.Duration;
import dev.kv.statemachine.ratis.FatalErrorHandler;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerBuilder;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: its Raft replicas ({@link RaftNode}) and its public gRPC server (KV service,
 * health, reflection). Starts them in dependency order and stops them in reverse: stop taking
 * requests, drain, hand off leadership, close Raft and storage.
 */
public final class KvNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KvNode.class);

  private final NodeConfig config;
  /** How often the placement controller reconciles (when this node leads the meta group). */
  private static final Duration CONTROLLER_ROUND = Duration.ofSeconds(1);

  private final RaftNode raft;
  private final ClusterMembership membership;
  private final HealthStatusManager healthManager;
  private final Server api;
  /** Runs the API's calls other than KV ones (see kvCallsOnTransportThreads). */
  private final ExecutorService otherCalls;
  /** Null when the node exports no metrics. */
  private final MetricsHttpServer metricsServer;
  private volatile boolean closed;

  public static KvNode start(NodeConfig config, FatalErrorHandler fatal) throws IOException {
    RaftNode raft =
        RaftNode.start(config, fatal, config.isSeed() && MetaGroupProbe.mayFormatMeta(config));
    ClusterMembership membership = null;
    MetricsHttpServer metricsServer = null;
    ExecutorService otherCalls = Daemons.cachedPool("kv-api-calls");
    try {
      NodeMetrics metrics = new NodeMetrics(config.nodeId().value());
      metrics.addGroups(new RatisGroupStatus(raft.server()));
      raft.rocksDbStatistics().ifPresent(metrics::addRocksDbStatistics);
      metrics.dropwizard().registerAll("kv.ratis_workaround", raft.workarounds().registry());
      if (config.metricsAddress() != null) {
        metricsServer = MetricsHttpServer.start(config.metricsAddress(), metrics.prometheus());
        LOG.info("{}: metrics at http://{}/metrics", config.nodeId(), config.metricsAddress());
      }
      membership = ClusterMembership.start(raft, CONTROLLER_ROUND);
      KvService kv =
          new KvService(
              membership.cache(),
              config.limits(),
              config.requestTimeout(),
              config.nodeId().value());
      ClusterService cluster = new ClusterService(raft, membership.cache(), membership.channels());
      HealthStatusManager health = new HealthStatusManager();
      Server api =
          kvCallsOnTransportThreads(
                  NettyServerBuilder.forAddress(
                      new InetSocketAddress(config.apiAddress().host(), config.apiAddress().port())),
                  otherCalls)
              .maxInboundMessageSize(NodeConfig.maxMessageBytes(config.limits()))
              .addService(ServerInterceptors.intercept(kv, metrics.requests()))
              .addService(cluster)
              .addService(health.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              .build()
              .start();
      KvNode node = new KvNode(config, raft, membership, api, otherCalls, health, metricsServer);
      health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
      health.setStatus(
          KVGrpc.SERVICE_NAME, io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
      return node;
    } catch (IOException | RuntimeException e) {
      if (metricsServer != null) {
        metricsServer.close();
      }
      if (membership != null) {
        membership.close();
      }
      otherCalls.shutdownNow();
      raft.close();
      throw e;
    }
  }

  /**
   * Runs the KV service's calls on the transport thread that read them, the rest (Cluster,
   * health, reflection, which may wait) on {@code otherCalls}. A KV call never blocks: it hands
   * its work to a group and answers from that group's callback. Handing every call to a pool
   * thread first cost a thread wake-up and a sleep per call, which on a 2-core machine was about
   * a fifth of a node's CPU under load.
   *
   * <p>The server's own executor is the direct one: gRPC looks up a call's method and asks the
   * supplier on that executor, and a call started on a pool thread stays there. (With gRPC's
   * default pool as the server's executor, as until 2026-12-05, every KV call still took one
   * hop to a pool thread: a quarter fewer linearizable reads per second on one group.)
   */
  static <T extends ServerBuilder<T>> T kvCallsOnTransportThreads(T builder, Executor otherCalls) {
    ServerCallExecutorSupplier byService =
        new ServerCallExecutorSupplier() {
          @Override
          public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
            return KVGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())
                ? null // the server's executor: the transport thread
                : otherCalls;
          }
        };
    return builder.executor(MoreExecutors.directExecutor()).callExecutor(byService);
  }

  private KvNode(
      NodeConfig config,
      RaftNode raft,
      ClusterMembership membership,
      Server api,
      ExecutorService otherCalls,
      HealthStatusManager health,
      MetricsHttpServer metricsServer) {
    this.config = config;
    this.raft = raft;
    this.membership = membership;
    this.api = api;
    this.otherCalls = otherCalls;
    this.healthManager = health;
    this.metricsServer = metricsServer;
  }

  /** The bound API port (differs from the configured one when that was 0). */
  public int apiPort() {
    return api.getPort();
  }

  public NodeConfig config() {
    return config;
  }

  public RaftNode raft() {
    return raft;
  }

  public ClusterMembership membership() {
    return membership;
  }

  /** The bound metrics port, if the node exports metrics. */
  public java.util.OptionalInt metricsPort() {
    return metricsServer == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(metricsServer.port());
  }

  /** True once {@link #close} has begun. */
  public boolean isStopping() {
    return closed;
  }

  public void awaitTermination() throws InterruptedException {
    api.awaitTermination();
  }

  /**
   * Stops the way a crash would, as far as a process can to itself: requests in flight are cut
   * off, and no leadership is handed off, so every group this node led must elect a new leader.
   * For tests that crash a node inside a shared JVM; storage is still closed cleanly.
   */
  public synchronized void crash() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("{}: crashing (test)", config.nodeId());
    healthManager.enterTerminalState();
    api.shutdownNow();
    closeBehindTheApi();
    raft.closeWithoutHandoff();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("{}: stopping", config.nodeId());
    healthManager.enterTerminalState();
    raft.stopAccepting();
    api.shutdown();
    try {
      if (!api.awaitTermination(5, TimeUnit.SECONDS)) {
        api.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      api.shutdownNow();
    }
    closeBehindTheApi();
    raft.close();
    LOG.info("{}: stopped", config.nodeId());
  }

  /** Once the API is down: metrics, then membership; before Raft frees what a scrape reads. */
  private void closeBehindTheApi() {
    otherCalls.shutdownNow();
    if (metricsServer != null) {
      metricsServer.close();
    }
    membership.close();
  }
}
