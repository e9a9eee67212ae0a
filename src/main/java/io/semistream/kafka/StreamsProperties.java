package io.semistream.kafka;

import io.semistream.config.SemistreamConfig;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/** What every semistream Kafka Streams application requires, on top of the pass-through client settings. */
public final class StreamsProperties {
  private StreamsProperties() {
  }

  /** What the zero-shot, discovery and asking applications commit at (the learner has its own setting). */
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 200;

  public static Properties exactlyOnce(SemistreamConfig config, String applicationId, Path stateDir) {
    return exactlyOnce(config, applicationId, stateDir, DEFAULT_COMMIT_INTERVAL_MS);
  }

  /**
   * As {@link #exactlyOnce(SemistreamConfig, String, Path)}, committing every {@code commitIntervalMs} unless
   * {@code kafka.commit.interval.ms} was given (then that, for every application).
   */
  public static Properties exactlyOnce(SemistreamConfig config, String applicationId, Path stateDir,
      long commitIntervalMs) {
    Properties p = config.kafka().baseProperties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
    p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
    p.put("processing.exception.handler.global.enabled", "true");
    long stateMemory = config.learner().stateMemoryBytes();
    if (stateMemory > 0) {
      p.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedStateMemory.class);
      p.put(BoundedStateMemory.BYTES, Long.toString(stateMemory));
    }
    if (config.topics().replicationFactor() > 0) {
      p.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.topics().replicationFactor());
    }
    return p;
  }
}
