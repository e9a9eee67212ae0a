package io.semistream.config;

import java.nio.file.Path;

/** The embedded single-node KRaft broker. */
public record BrokerSettings(Path dataDir, int port) {
  public BrokerSettings {
    if (dataDir == null) {
      throw new IllegalArgumentException("broker data dir must not be null");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("broker port must be in 0..65535, got " + port);
    }
  }
}
