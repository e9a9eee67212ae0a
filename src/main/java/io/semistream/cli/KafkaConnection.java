package io.semistream.cli;

import io.semistream.broker.EmbeddedKafkaBroker;
import io.semistream.config.SemistreamConfig;
import java.io.IOException;

/** Connects to the configured cluster, or starts the embedded broker when no bootstrap servers are set. */
final class KafkaConnection implements AutoCloseable {
  private final EmbeddedKafkaBroker broker;
  private final SemistreamConfig config;

  private KafkaConnection(EmbeddedKafkaBroker broker, SemistreamConfig config) {
    this.broker = broker;
    this.config = config;
  }

  static KafkaConnection open(SemistreamConfig config) throws IOException {
    if (!config.kafka().embedded()) {
      return new KafkaConnection(null, config);
    }
    EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.start(config.broker().dataDir(), config.broker().port(),
            EmbeddedKafkaBroker.SERVICE);
    return new KafkaConnection(broker, config.withBootstrapServers(broker.bootstrapServers()));
  }

  /**
   * For the single-role commands ({@code embed}, {@code learn}, {@code trainer}, {@code replay}, {@code topics}):
   * they join a cluster, never start a private broker that nothing else would reach.
   */
  static KafkaConnection cluster(SemistreamConfig config, String command) {
    if (config.kafka().embedded()) {
      throw new io.semistream.config.InvalidConfigurationException(java.util.List.of("`" + command
          + "` joins a running Kafka cluster: give --bootstrap-servers host:port (the main job prints its "
          + "embedded broker's address; `semistream broker` runs one on its own)"));
    }
    return new KafkaConnection(null, config);
  }

  /** The configuration with the bootstrap servers that are actually in use. */
  SemistreamConfig config() {
    return config;
  }

  boolean embedded() {
    return broker != null;
  }

  @Override
  public void close() {
    if (broker != null) {
      broker.close();
    }
  }
}
