package dev.kv.server.metrics;

import dev.kv.server.config.HostPort;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

/**
 * The node's metrics over HTTP: {@code GET /metrics} in the Prometheus text format (or OpenMetrics
 * / protobuf when the scraper asks for them), {@code GET /-/healthy}. Prometheus' own exporter on
 * the JDK's HTTP server; its threads are daemons. Serves until closed.
 */
public final class MetricsHttpServer implements AutoCloseable {
  /**
   * The environment variable for the endpoint's address (host:port; unset or empty: no endpoint).
   * kvd's {@code --metrics-address} flag should fall back to it.
   */
  public static final String ENV_ADDRESS = "KV_METRICS_ADDRESS";

  private final HTTPServer server;

  private MetricsHttpServer(HTTPServer server) {
    this.server = server;
  }

  /**
   * Listens on {@code address} (port 0 picks a free port, see {@link #port()}) and serves what
   * {@code registry} holds at each scrape.
   */
  public static MetricsHttpServer start(HostPort address, PrometheusRegistry registry)
      throws IOException {
    return new MetricsHttpServer(
        HTTPServer.builder()
            .hostname(address.host())
            .port(address.port())
            .registry(registry)
            .buildAndStart());
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
