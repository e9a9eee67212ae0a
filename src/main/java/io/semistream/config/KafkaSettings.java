package io.semistream.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

import java.util.Map;
import java.util.Properties;

/**
 * How to reach Kafka. {@code clientProperties} are passed unchanged to every client (SASL, TLS, ...).
 * An empty {@code bootstrapServers} means: use the embedded broker.
 */
public record KafkaSettings(String bootstrapServers, Map<String, Object> clientProperties) {
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";

  static void define(ConfigDef def) {
    def.define(BOOTSTRAP_SERVERS, Type.STRING, "", Importance.HIGH,
        "Kafka bootstrap servers. Empty: start an embedded single-node KRaft broker on loopback.");
  }

  static KafkaSettings read(ParsedValues v, Map<String, Object> passthrough) {
    return new KafkaSettings(v.string(BOOTSTRAP_SERVERS), passthrough);
  }

  public KafkaSettings {
    bootstrapServers = bootstrapServers == null ? "" : bootstrapServers.trim();
    clientProperties = Map.copyOf(clientProperties);
  }

  public boolean embedded() {
    return bootstrapServers.isEmpty();
  }

  /** Base properties for any client: passthrough first, then bootstrap servers (which must win). */
  public Properties baseProperties() {
    if (embedded()) {
      throw new IllegalStateException("no bootstrap servers yet: start the embedded broker first");
    }
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put("bootstrap.servers", bootstrapServers);
    return props;
  }
}
