package io.semistream.discovery;

import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.StreamsProperties;
import io.semistream.kafka.StreamsService;
import io.semistream.topics.TopicRegistry;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Runs the discovery topology (exactly once) as its own Kafka Streams application, {@code
 * <learner.application.id>-discovery}: it is started with every learner, and its instances share one task.
 */
public final class DiscoveryService implements AutoCloseable {
  private final StreamsService service;

  public DiscoveryService(SemistreamConfig config, TopicRegistry topics, DiscoveryObserver observer) {
    var learner = config.learner();
    service = new StreamsService(DiscoveryTopology.build(config.discovery(),
        learner.classification().embeddingDimension(), topics, observer),
        StreamsProperties.exactlyOnce(config, learner.discoveryApplicationId(), learner.stateDir()),
        "discovery service");
  }

  public DiscoveryService start() {
    service.start();
    return this;
  }

  public KafkaStreams streams() {
    return service.streams();
  }

  @Override
  public void close() {
    service.close();
  }
}
