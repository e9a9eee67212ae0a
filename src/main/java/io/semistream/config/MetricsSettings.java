package io.semistream.config;

/** Where GET /metrics (Prometheus text format) is served; port -1 turns it off, 0 picks a free port. */
public record MetricsSettings(String host, int port) {
  public MetricsSettings {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("metrics host must not be empty");
    }
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException("metrics port must be -1..65535, got " + port);
    }
  }

  public boolean enabled() {
    return port >= 0;
  }
}
