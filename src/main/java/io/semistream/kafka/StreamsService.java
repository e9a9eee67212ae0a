package io.semistream.kafka;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Streams application started with the learner (the zero-shot and discovery services): a failed stream
 * thread is replaced (state comes back from the changelogs) and closing leaves the group at once.
 */
public final class StreamsService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsService.class);
  private final KafkaStreams streams;
  private final String name;

  /** @param name what the log calls it ("zero-shot service") */
  public StreamsService(Topology topology, Properties properties, String name) {
    this.name = name;
    streams = new KafkaStreams(topology, properties);
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("{} stream thread failed; replacing it (state is restored from the changelogs)", name, e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
  }

  public void start() {
    streams.start();
    LOG.info("{} started", name);
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
    LOG.info("{} stopped", name);
  }
}
