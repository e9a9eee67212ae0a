package io.semistream.learning;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.semistream.config.LearnerSettings;
import io.semistream.metrics.LearnerMetrics;
import io.semistream.config.SemistreamConfig;
import io.semistream.topics.TopicRegistry;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the learner topology with exactly-once processing; {@code main}-level code only wires and starts it. */
public final class LearnerService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LearnerService.class);

  private final KafkaStreams streams;
  private final String applicationServer;

  private final KafkaStreamsMetrics streamsMetrics;

  public LearnerService(SemistreamConfig config, TopicRegistry topics, String applicationServer) {
    this(config, topics, applicationServer, null);
  }

  /** With {@code registry}: the learner's own meters and Kafka Streams' metrics (via KafkaStreamsMetrics). */
  public LearnerService(SemistreamConfig config, TopicRegistry topics, String applicationServer,
      MeterRegistry registry) {
    this.applicationServer = applicationServer;
    LearnerObserver observer = LearnerObserver.NONE;
    if (registry != null) {
      LearnerMetrics metrics = new LearnerMetrics(config.learner().metricsMaxClasses());
      metrics.bindTo(registry);
      observer = metrics;
    }
    this.streams = new KafkaStreams(LearnerTopology.build(config.learner(), topics, observer),
        streamsProperties(config, applicationServer));
    this.streamsMetrics = registry == null ? null : new KafkaStreamsMetrics(streams);
    if (streamsMetrics != null) {
      streamsMetrics.bindTo(registry);
    }
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("learner stream thread failed; replacing it (state is restored from the changelogs)", e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
          .REPLACE_THREAD;
    });
  }

  /** Kafka Streams properties: pass-through client settings first, then what the learner requires. */
  public static Properties streamsProperties(SemistreamConfig config, String applicationServer) {
    LearnerSettings s = config.learner();
    Properties p = config.kafka().baseProperties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir().toAbsolutePath().toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.streamThreads());
    p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
    p.put("processing.exception.handler.global.enabled", "true");
    if (applicationServer != null) {
      p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
    }
    if (config.topicReplicationFactor() > 0) {
      p.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.topicReplicationFactor());
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
    streams.close(Duration.ofSeconds(30));
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    LOG.info("learner stopped");
  }
}
