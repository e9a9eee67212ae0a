package io.semistream.zeroshot;

import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.StreamsProperties;
import io.semistream.kafka.StreamsService;
import io.semistream.topics.TopicRegistry;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Runs the zero-shot topology (exactly once) as its own Kafka Streams application, {@code
 * <learner.application.id>-zeroshot}: it is started with every learner, and its instances share one task.
 */
public final class ZeroShotService implements AutoCloseable {
  private final StreamsService service;

  public ZeroShotService(SemistreamConfig config, TopicRegistry topics, ZeroShotObserver observer) {
    var learner = config.learner();
    service = new StreamsService(ZeroShotTopology.build(learner, topics, observer),
        StreamsProperties.exactlyOnce(config, learner.zeroShotApplicationId(), learner.stateDir()),
        "zero-shot service");
  }

  public ZeroShotService start() {
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
