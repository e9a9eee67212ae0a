package io.semistream.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.semistream.config.MetricsSettings;
import java.io.IOException;

/** A process's registry plus its /metrics endpoint (absent when metrics.port is -1). */
public final class ServiceMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final MetricsServer server;

  private ServiceMetrics(PrometheusMeterRegistry registry, MetricsServer server) {
    this.registry = registry;
    this.server = server;
  }

  public static ServiceMetrics start(MetricsSettings settings, String application) throws IOException {
    PrometheusMeterRegistry registry = Observability.prometheusRegistry(application);
    MetricsServer server = settings.enabled() ? MetricsServer.start(registry, settings.host(), settings.port())
        : null;
    return new ServiceMetrics(registry, server);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The endpoint's port, or -1 when it is off. */
  public int port() {
    return server == null ? -1 : server.port();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    registry.close();
  }
}
