package io.semistream.discovery;

import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.StreamsProperties;
import io.semistream.topics.TopicRegistry;
import java.time.Duration;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the discovery topology (exactly once) as its own Kafka Streams application, {@code
 * <learner.application.id>-discovery}: it is started with every learner, and its instances share one task.
 */
public final class DiscoveryService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryService.class);
  private final KafkaStreams streams;

  public DiscoveryService(SemistreamConfig config, TopicRegistry topics, DiscoveryObserver observer) {
    var learner = config.learner();
    streams = new KafkaStreams(DiscoveryTopology.build(config.discovery(),
        learner.classification().embeddingDimension(), topics, observer),
        StreamsProperties.exactlyOnce(config, learner.discoveryApplicationId(), learner.stateDir()));
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("discovery stream thread failed; replacing it (state is restored from the changelogs)", e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
  }

  public DiscoveryService start() {
    streams.start();
    LOG.info("discovery service started");
    return this;
  }

  public KafkaStreams streams() {
    return streams;
  }

  @Override
  public void close() {
    // Leave the group at once, as the learner does: the next instance takes the task without a session timeout.
    streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    LOG.info("discovery service stopped");
  }
}
