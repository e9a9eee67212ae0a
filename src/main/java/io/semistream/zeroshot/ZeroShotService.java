package io.semistream.zeroshot;

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
 * Runs the zero-shot topology (exactly once) as its own Kafka Streams application, {@code
 * <learner.application.id>-zeroshot}: it is started with every learner, and its instances share one task.
 */
public final class ZeroShotService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ZeroShotService.class);
  private final KafkaStreams streams;

  public ZeroShotService(SemistreamConfig config, TopicRegistry topics, ZeroShotObserver observer) {
    var learner = config.learner();
    streams = new KafkaStreams(ZeroShotTopology.build(learner, topics, observer),
        StreamsProperties.exactlyOnce(config, learner.zeroShotApplicationId(), learner.stateDir()));
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("zero-shot stream thread failed; replacing it (state is restored from the changelogs)", e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
  }

  public ZeroShotService start() {
    streams.start();
    LOG.info("zero-shot service started");
    return this;
  }

  public KafkaStreams streams() {
    return streams;
  }

  @Override
  public void close() {
    // Leave the group: an instance stopped on purpose (scale-in, a deploy) hands its tasks to the others at once.
    // Kafka Streams stays in the group by default, so they waited for the session timeout (45 s) with those
    // partitions unserved (measured in LearnerScaleIT: 49 s from 3 instances to 1).
    streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    LOG.info("zero-shot service stopped");
  }
}
