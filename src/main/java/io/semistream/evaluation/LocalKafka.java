package io.semistream.evaluation;

import io.semistream.broker.EmbeddedKafkaBroker;
import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.KafkaClients;
import io.semistream.topics.TopicApplier;
import io.semistream.topics.TopicRegistry;
import java.nio.file.Path;
import org.apache.kafka.clients.admin.Admin;

/**
 * A fresh embedded broker under {@code work/kafka} with the catalogue's topics created, and the configuration
 * and clients that point at it: what every in-process measurement (eval, latency, soak, scale-out) starts from.
 */
record LocalKafka(EmbeddedKafkaBroker broker, SemistreamConfig config, KafkaClients clients, TopicRegistry topics)
    implements AutoCloseable {

  static LocalKafka start(SemistreamConfig config, Path work) throws Exception {
    return start(config, work, false);
  }

  /**
   * With {@code external}, the broker named by {@code bootstrap.servers} instead of an embedded one (it must be
   * fresh: ids and application ids are reused), so that this process' memory is the pipeline's alone.
   */
  static LocalKafka start(SemistreamConfig config, Path work, boolean external) throws Exception {
    if (external && config.kafka().bootstrapServers().isEmpty()) {
      throw new IllegalArgumentException("an external broker needs --bootstrap-servers");
    }
    EmbeddedKafkaBroker broker = external ? null : EmbeddedKafkaBroker.start(work.resolve("kafka"), 0,
        EmbeddedKafkaBroker.SERVICE);
    try {
      SemistreamConfig live = external ? config : config.withBootstrapServers(broker.bootstrapServers());
      KafkaClients clients = new KafkaClients(live.kafka());
      TopicRegistry topics = TopicRegistry.load(config.topics().prefix());
      try (Admin admin = clients.admin()) {
        new TopicApplier(admin).apply(topics.catalogue().all().values(), 0);
      }
      return new LocalKafka(broker, live, clients, topics);
    } catch (Exception e) {
      if (broker != null) {
        broker.close();
      }
      throw e;
    }
  }

  /** The configuration with a learner of this application id and state directory, and no HTTP API. */
  SemistreamConfig withLearner(String applicationId, Path stateDir) {
    return config.withLearner(config.learner().withApplication(applicationId, stateDir).withHttpPort(-1));
  }

  @Override
  public void close() {
    if (broker != null) {
      broker.close();
    }
  }
}
