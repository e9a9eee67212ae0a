package io.semistream.config;

import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The embedded single-node KRaft broker. */
public record BrokerSettings(Path dataDir, int port) {
  public static final String DATA_DIR = "broker.data.dir";
  public static final String PORT = "broker.port";

  public BrokerSettings {
    if (dataDir == null) {
      throw new IllegalArgumentException("broker data dir must not be null");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("broker port must be in 0..65535, got " + port);
    }
  }

  static void define(ConfigDef def) {
    def.define(DATA_DIR, Type.STRING, "data/kafka", Importance.MEDIUM,
            "Log and metadata directory of the embedded broker (kept between runs).")
        .define(PORT, Type.INT, 9092, Range.between(0, 65535), Importance.MEDIUM,
            "Listener port of the embedded broker (fixed, so that clients can be pointed at it); 0 picks a free port.");
  }

  static BrokerSettings read(ParsedValues v) {
    return new BrokerSettings(v.path(DATA_DIR), v.integer(PORT));
  }
}
