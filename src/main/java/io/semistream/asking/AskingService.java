package io.semistream.asking;

import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.StreamsProperties;
import io.semistream.kafka.StreamsService;
import io.semistream.topics.TopicRegistry;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Runs the active-learning topology (exactly once) as its own Kafka Streams application, {@code
 * <learner.application.id>-asking}: it is started with every learner, and its instances share one task.
 */
public final class AskingService implements AutoCloseable {
  private final StreamsService service;

  public AskingService(SemistreamConfig config, TopicRegistry topics, AskingObserver observer) {
    var learner = config.learner();
    service = new StreamsService(AskingTopology.build(config.asking(), learner.classification().embeddingDimension(),
        topics, observer),
        StreamsProperties.exactlyOnce(config, learner.askingApplicationId(), learner.stateDir()), "asking service");
  }

  public AskingService start() {
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
