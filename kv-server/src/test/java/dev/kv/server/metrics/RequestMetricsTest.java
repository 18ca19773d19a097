package dev.kv.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.google.protobuf.ByteString;
import dev.kv.api.v1.GetRequest;
import dev.kv.api.v1.GetResponse;
import dev.kv.api.v1.KVGrpc;
import dev.kv.api.v1.PutRequest;
import dev.kv.api.v1.PutResponse;
import dev.kv.api.v1.ScanRequest;
import dev.kv.api.v1.ScanResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RequestMetrics on a real (in-process) gRPC server, with a clock the service moves. */
class RequestMetricsTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final CountDownLatch scanArrived = new CountDownLatch(1);
  private final CountDownLatch scanCancelled = new CountDownLatch(1);
  private Server server;
  private ManagedChannel channel;

  /** Get takes 3 ms and succeeds; Put takes 20 ms and fails; Scan waits for the client. */
  private final class FakeKv extends KVGrpc.KVImplBase {
    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> out) {
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(3));
      out.onNext(GetResponse.newBuilder().setFound(false).build());
      out.onCompleted();
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> out) {
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(20));
      out.onError(Status.UNAVAILABLE.withDescription("no leader").asRuntimeException());
    }

    @Override
    public void scan(ScanRequest request, StreamObserver<ScanResponse> out) {
      ((ServerCallStreamObserver<ScanResponse>) out).setOnCancelHandler(scanCancelled::countDown);
      scanArrived.countDown();
    }
  }

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    RequestMetrics metrics = new RequestMetrics(registry, nanos::get);
    server =
        InProcessServerBuilder.forName(name)
            .addService(new FakeKv())
            .addService(new HealthStatusManager().getHealthService())
            .intercept(metrics)
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void timesEachCallByMethod() {
    KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
    kv.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("a")).build());
    kv.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("b")).build());

    HistogramDataPointSnapshot get = durations("Get").orElseThrow();
    assertThat(get.getCount()).isEqualTo(2);
    assertThat(get.getSum()).isCloseTo(0.006, offset(1e-9));
    assertThat(errorCount("Get", "UNAVAILABLE")).isZero();
  }

  @Test
  void countsErrorsByStatusCode() {
    KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
    PutRequest put =
        PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("a"))
            .setValue(ByteString.copyFromUtf8("1"))
            .build();

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> kv.put(put))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    assertThat(errorCount("Put", "UNAVAILABLE")).isEqualTo(3);
    assertThat(durations("Put").orElseThrow().getCount()).isEqualTo(3);
    assertThat(durations("Put").orElseThrow().getSum()).isCloseTo(0.060, offset(1e-9));
  }

  @Test
  void aCallTheClientCancelsCountsAsCancelled() throws Exception {
    ClientCall<ScanRequest, ScanResponse> call =
        channel.newCall(KVGrpc.getScanMethod(), CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {}, new Metadata());
    call.sendMessage(ScanRequest.getDefaultInstance());
    call.halfClose();
    call.request(1);
    assertThat(scanArrived.await(30, TimeUnit.SECONDS)).isTrue();

    call.cancel("test gives up", null);

    // The service's cancel handler runs after the interceptor has recorded the call.
    assertThat(scanCancelled.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(errorCount("Scan", "CANCELLED")).isEqualTo(1);
    assertThat(durations("Scan").orElseThrow().getCount()).isEqualTo(1);
  }

  @Test
  void callsOfOtherServicesAreNotMeasured() {
    HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());

    assertThat(durations("Check")).isEmpty();
    assertThat(
            registry.scrape().stream()
                .filter(s -> s.getMetadata().getName().equals("kv_request_duration_seconds"))
                .flatMap(s -> s.getDataPoints().stream()))
        .isEmpty();
  }

  private Optional<HistogramDataPointSnapshot> durations(String method) {
    return ((HistogramSnapshot) snapshot("kv_request_duration_seconds"))
        .getDataPoints().stream()
            .filter(p -> p.getLabels().equals(Labels.of("method", method)))
            .findFirst();
  }

  private double errorCount(String method, String code) {
    return ((CounterSnapshot) snapshot("kv_request_errors"))
        .getDataPoints().stream()
            .filter(p -> p.getLabels().equals(Labels.of("code", code, "method", method)))
            .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
            .sum();
  }

  private MetricSnapshot snapshot(String name) {
    return registry.scrape().stream()
        .filter(s -> s.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name));
  }
}
