package io.semistream.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Where GET /metrics (Prometheus text format) is served; port -1 turns it off, 0 picks a free port. */
public record MetricsSettings(String host, int port) {
  public static final String HOST = "metrics.host";
  public static final String PORT = "metrics.port";

  public MetricsSettings {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("metrics host must not be empty");
    }
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException("metrics port must be -1..65535, got " + port);
    }
  }

  static void define(ConfigDef def) {
    def.define(HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
            "Address the Prometheus endpoint binds to (0.0.0.0 inside a container).")
        .define(PORT, Type.INT, 9400, Range.between(-1, 65535), Importance.MEDIUM,
            "Port of GET /metrics (Prometheus format); 0: a free port, -1: off.");
  }

  static MetricsSettings read(ParsedValues v) {
    return new MetricsSettings(v.string(HOST), v.integer(PORT));
  }

  public boolean enabled() {
    return port >= 0;
  }
}
