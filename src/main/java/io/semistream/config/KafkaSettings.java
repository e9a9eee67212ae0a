package io.semistream.config;

import java.util.Map;
import java.util.Properties;

/**
 * How to reach Kafka. {@code clientProperties} are passed unchanged to every client (SASL, TLS, ...).
 * An empty {@code bootstrapServers} means: use the embedded broker.
 */
public record KafkaSettings(String bootstrapServers, Map<String, Object> clientProperties) {
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
