package io.semistream.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;

/**
 * Serves {@code GET /metrics} with Prometheus' own exporter over the registry Micrometer writes to: content
 * negotiation (text 0.0.4, OpenMetrics, protobuf), gzip, {@code name[]} filtering and {@code /-/healthy} come
 * from the maintained library instead of hand-written HTTP code.
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  /** @param host bind address (127.0.0.1 by default; 0.0.0.0 in a container) @param port 0: a free port */
  public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port) throws IOException {
    return new MetricsServer(HTTPServer.builder().hostname(host).port(port)
        .registry(registry.getPrometheusRegistry()).buildAndStart());
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
