package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.StreamsProperties;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The learner's commit interval is its own (its commit is when a prediction becomes visible); the others' are not. */
class LearnerCommitIntervalTest {
  private static SemistreamConfig config(Map<String, String> keys) {
    Map<String, String> all = new java.util.HashMap<>(keys);
    all.put("bootstrap.servers", "127.0.0.1:9");
    return SemistreamConfig.fromMap(all);
  }

  private static Object commitInterval(java.util.Properties p) {
    return String.valueOf(p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
  }

  @Test
  void shouldCommitEveryApplicationEvery200MsByDefault() {
    SemistreamConfig c = config(Map.of());
    assertEquals("200", commitInterval(LearnerService.streamsProperties(c, null)));
    assertEquals("200", commitInterval(StreamsProperties.exactlyOnce(c, "other", Path.of("x"))));
  }

  @Test
  void shouldLetTheLearnerOwnKeyAndThenKafkaCommitIntervalDecide() {
    SemistreamConfig learnerOnly = config(Map.of("learner.commit.interval.ms", "75"));
    assertEquals("75", commitInterval(LearnerService.streamsProperties(learnerOnly, null)));
    assertEquals("200", commitInterval(StreamsProperties.exactlyOnce(learnerOnly, "other", Path.of("x"))));
    SemistreamConfig everyApp = config(Map.of("learner.commit.interval.ms", "75",
        "kafka.commit.interval.ms", "40"));
    assertEquals("40", commitInterval(LearnerService.streamsProperties(everyApp, null)));
    assertEquals("40", commitInterval(StreamsProperties.exactlyOnce(everyApp, "other", Path.of("x"))));
  }
}
