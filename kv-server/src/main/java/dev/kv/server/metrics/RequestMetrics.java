package dev.kv.server.metrics;

import dev.kv.api.v1.KVGrpc;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Measures the public KV API as a gRPC interceptor: the latency of every call by method ({@code
 * kv_request_duration_seconds{method="Get"}}, a histogram) and the calls that ended in an error by
 * method and status code ({@code kv_request_errors_total{method="Put",code="UNAVAILABLE"}}). Calls
 * of other services (health, reflection) pass through unmeasured, so it can be installed on the
 * whole server or on the KV service alone.
 *
 * <p>A histogram rather than a Dropwizard timer: bucket counts add up across nodes, so a
 * cluster-wide p99 is a PromQL query, whereas quantiles computed on each node cannot be combined.
 */
public final class RequestMetrics implements ServerInterceptor {
  /** Upper bounds in seconds: sub-millisecond local reads up to requests that hit the timeout. */
  private static final double[] BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final Histogram duration;
  private final Counter errors;
  private final LongSupplier nanoTime;

  public RequestMetrics(PrometheusRegistry registry) {
    this(registry, System::nanoTime);
  }

  /** With a clock, for tests. */
  RequestMetrics(PrometheusRegistry registry, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.duration =
        Histogram.builder()
            .name("kv_request_duration_seconds")
            .help("Latency of KV API calls, from arrival to the call's close")
            .unit(Unit.SECONDS)
            .labelNames("method")
            .classicOnly()
            .classicUpperBounds(BUCKETS)
            .register(registry);
    this.errors =
        Counter.builder()
            .name("kv_request_errors")
            .help("KV API calls that ended with a status other than OK, by status code")
            .labelNames("method", "code")
            .register(registry);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!KVGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    Measurement measurement =
        new Measurement(call.getMethodDescriptor().getBareMethodName(), nanoTime.getAsLong());
    ServerCall<Q, R> measured =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            measurement.end(status.getCode());
            super.close(status, trailers);
          }
        };
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(measured, headers)) {
      @Override
      public void onCancel() {
        // The client went away (or its deadline passed) before the server closed the call.
        measurement.end(Status.Code.CANCELLED);
        super.onCancel();
      }
    };
  }

  /** One call; ends once, whichever of close and cancel comes first. */
  private final class Measurement {
    private final String method;
    private final long start;
    private final AtomicBoolean ended = new AtomicBoolean();

    Measurement(String method, long start) {
      this.method = method;
      this.start = start;
    }

    void end(Status.Code code) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      duration.labelValues(method).observe((nanoTime.getAsLong() - start) / 1e9);
      if (code != Status.Code.OK) {
        errors.labelValues(method, code.name()).inc();
      }
    }
  }
}
