package io.semistream.learning;

import io.semistream.config.LearnerSettings;
import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.StreamsProperties;
import io.semistream.topics.TopicRegistry;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the learner topology with exactly-once processing; {@code main}-level code only wires and starts it. */
public final class LearnerService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LearnerService.class);

  private final KafkaStreams streams;
  private final String applicationServer;

  public LearnerService(SemistreamConfig config, TopicRegistry topics, String applicationServer) {
    this(config, topics, applicationServer, LearnerObserver.NONE);
  }

  /**
   * Reports to {@code observer}: the runtime above binds it to metrics, so learning never depends on how it is
   * observed. Kafka Streams' own metrics are bound by the runtime too, through {@link #streams()}.
   */
  public LearnerService(SemistreamConfig config, TopicRegistry topics, String applicationServer,
      LearnerObserver observer) {
    this.applicationServer = applicationServer;
    this.streams = new KafkaStreams(LearnerTopology.build(config.learner(), topics, observer),
        streamsProperties(config, applicationServer));
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("learner stream thread failed; replacing it (state is restored from the changelogs)", e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
          .REPLACE_THREAD;
    });
  }

  /** Kafka Streams properties: pass-through client settings first, then what the learner requires. */
  public static Properties streamsProperties(SemistreamConfig config, String applicationServer) {
    LearnerSettings s = config.learner();
    Properties p = StreamsProperties.exactlyOnce(config, s.applicationId(), s.stateDir(),
        s.commit().intervalMs());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.streamThreads());
    if (s.commit().early()) {
      // An idle stream thread blocks in poll for poll.ms (100 by default) before its punctuators run: the early
      // commit of a burst's last records would wait that long.
      p.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, Math.min(100L, s.commit().idleIntervalMs()));
    }
    if (applicationServer != null) {
      p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
    }
    return p;
  }

  public LearnerService start() {
    streams.start();
    LOG.info("learner started (application server {})", applicationServer);
    return this;
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** Waits until the learner is RUNNING (all tasks assigned and restored). */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (streams.state() == KafkaStreams.State.RUNNING) {
        return true;
      }
      if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
        return false;
      }
      Thread.sleep(50);
    }
    return false;
  }

  @Override
  public void close() {
    // Leave the group: an instance stopped on purpose (scale-in, a deploy) hands its tasks to the others at once.
    // Kafka Streams stays in the group by default, so they waited for the session timeout (45 s) with those
    // partitions unserved (measured in LearnerScaleIT: 49 s from 3 instances to 1).
    streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    LOG.info("learner stopped");
  }
}
