package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.SemistreamConfig;
import io.semistream.kafka.KafkaClients;
import io.semistream.serving.LearnerRuntime;
import io.semistream.testing.LearnerTesting;
import io.semistream.testing.SyntheticStream;
import io.semistream.testing.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a commit interval of a minute, predictions become visible to {@code read_committed} readers within seconds
 * only through the learner's early commits; with those off, the same learner's predictions are written (a
 * {@code read_uncommitted} reader sees them) and stay invisible.
 */
class LearnerEarlyCommitIT {
  private static final int IMAGES = 100;
  @TempDir
  Path dir;

  @Test
  void shouldMakePredictionsVisibleBeforeTheCommitIntervalOnlyWhenCommittingEarly() throws Exception {
    try (TestKafka kafka = TestKafka.start(dir)) {
      var topics = kafka.topics();
      SyntheticStream stream = new SyntheticStream(3, 11);
      String predictions = topics.predictions().name();

      try (LearnerRuntime late = LearnerRuntime.start(config(kafka, "0"), topics)) {
        stream.publish(kafka.clients(), topics, 0, IMAGES, 0.2);
        // Only the labelled images get a prediction yet: the others wait for prototypes, and those reach the
        // learner's global store through the prototypes topic, committed like everything else.
        int labelled = stream.labels.size();
        int written = awaitUncommitted(kafka, predictions, labelled, Duration.ofSeconds(60));
        assertTrue(written >= labelled, "the learner processed the labelled images: " + written + " of " + labelled
            + " predictions written");
        assertEquals(0, kafka.readCommitted(predictions, 1, Duration.ofSeconds(3), Duration.ZERO).size(),
            "none visible before the minute's commit without early commits");
      }   // closing commits them

      try (LearnerRuntime early = LearnerRuntime.start(config(kafka, "20"), topics)) {
        int before = kafka.readCommitted(predictions, IMAGES, Duration.ofSeconds(30), Duration.ofSeconds(1)).size();
        stream.publish(kafka.clients(), topics, IMAGES, IMAGES, 0.2);
        int after = kafka.readCommitted(predictions, before + IMAGES, Duration.ofSeconds(30), Duration.ZERO).size();
        assertTrue(after >= before + IMAGES, "every new image's prediction visible within 30 s of a 60 s commit "
            + "interval: " + (after - before) + " of " + IMAGES);
      }
    }
  }

  /**
   * Commits at most once a minute except early ones every {@code idleIntervalMs}, the CPU limit out of the way; the
   * transactions may stay open that long (Kafka Streams refuses a commit interval above the transaction timeout).
   */
  private SemistreamConfig config(TestKafka kafka, String idleIntervalMs) {
    Map<String, String> keys = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "kafka.producer.transaction.timeout.ms", "120000", "discovery.enabled", "false", "asking.enabled", "false"));
    SemistreamConfig base = SemistreamConfig.fromMap(keys);
    return base.withLearner(LearnerTesting.learner(dir.resolve("state"), Map.of(
        "learner.pseudo.weight", "0", "learner.http.port", "-1", "learner.commit.interval.ms", "60000",
        "learner.commit.idle.interval.ms", idleIntervalMs, "learner.commit.idle.max.cpu", "1.0")));
  }

  private static int awaitUncommitted(TestKafka kafka, String topic, int expected, Duration timeout) {
    int seen = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.clients().consumer(null, new ByteArrayDeserializer(),
        new ByteArrayDeserializer(), Map.of("isolation.level", "read_uncommitted"))) {
      consumer.seekToBeginning(KafkaClients.assignAll(consumer, topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (seen < expected && System.nanoTime() < deadline) {
        seen += consumer.poll(Duration.ofMillis(200)).count();
      }
    }
    return seen;
  }
}
