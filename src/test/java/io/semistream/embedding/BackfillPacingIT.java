package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.semistream.config.EmbeddingSettings;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.model.EmbeddingModel;
import io.semistream.model.ModelStore;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.replay.PngEncoder;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real broker: after a promotion the re-embedding of the retained images waits while the learner (here a
 * consumer group that commits nothing) is more than {@code embedding.backfill.max.lag} records behind, fresh
 * images are embedded by the new version meanwhile, and the backfill runs to its end once the learner caught up.
 */
class BackfillPacingIT {
  private static final int IMAGES = 200;
  private static final int FRESH = 20;
  private static final String LEARNER = "learner-under-test";

  @TempDir
  Path dir;

  @Test
  void shouldHoldTheBackfillWhileTheLearnerIsBehindAndEmbedFreshImagesMeanwhile() throws Exception {
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    ModelStore store = new ModelStore(dir.resolve("models"));
    store.importVersion(TestModels.tinyVersionDir());
    ModelSwitchIT.trainVersion2(store, fashion);
    try (TestKafka kafka = TestKafka.start(dir.resolve("kafka"));
         Admin admin = kafka.clients().admin()) {
      var topics = kafka.topics();
      EmbeddingSettings settings = kafka.config().embedding().withBackfillMaxLag(50);
      try (EmbeddingModel v1 = EmbeddingModel.load(store.versionDir(1), Device.cpu());
           EmbeddingService embedder = new EmbeddingService(settings, kafka.clients(), topics, v1, null,
               List.of(LEARNER)).start()) {
        send(kafka, fashion, "kept-", IMAGES, 0);
        assertEquals(IMAGES, kafka.readCommitted(topics.embeddings().name(), IMAGES, Duration.ofSeconds(120),
            Duration.ZERO).size());
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        embeddingsEnds(admin, topics.embeddings().name()).keySet().forEach(tp -> start.put(tp, new OffsetAndMetadata(0)));
        admin.alterConsumerGroupOffsets(LEARNER, start).all().get();   // the learner has read nothing
        // The gate reads the lag every 250 ms: a promotion before its next reading would let one batch through.
        long closed = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (embedder.backfillGateOpen() && System.nanoTime() < closed) {
          Thread.sleep(10);
        }
        assertTrue(!embedder.backfillGateOpen(), "the gate saw the learner fall behind");

        ModelSwitchIT.promoteVersion2(kafka);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while ((embedder.backfillRemaining() == 0 || !embedder.everyWorkerServes(2)) && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        send(kafka, fashion, "fresh-", FRESH, 6_000);
        Map<String, Integer> byV2 = awaitVersion2(kafka, n -> count(n, "fresh-") == FRESH);
        assertEquals(FRESH, count(byV2, "fresh-"), "fresh images are embedded by v2 while the backfill waits");
        Thread.sleep(1_000);
        byV2 = awaitVersion2(kafka, n -> true);
        assertEquals(0, count(byV2, "kept-"), "no retained image re-embedded while the learner is behind");
        assertEquals(IMAGES, embedder.backfillRemaining());

        // A learner that keeps up: it commits the end of its input every time the test reads.
        byV2 = awaitVersion2(kafka, n -> {
          try {
            Map<TopicPartition, OffsetAndMetadata> now = new HashMap<>();
            embeddingsEnds(admin, topics.embeddings().name()).forEach((tp, o) -> now.put(tp, new OffsetAndMetadata(o)));
            admin.alterConsumerGroupOffsets(LEARNER, now).all().get();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return count(n, "kept-") == IMAGES;
        });
        assertEquals(IMAGES, count(byV2, "kept-"), "the backfill ran to its end once the learner caught up");
        assertTrue(byV2.values().stream().allMatch(n -> n == 1), "each image embedded by v2 exactly once");
      }
    }
  }

  private static void send(TestKafka kafka, Dataset fashion, String prefix, int n, int from) throws Exception {
    try (KafkaProducer<String, byte[]> producer = kafka.clients().producer(new StringSerializer(),
        new ByteArraySerializer(), Map.of())) {
      for (int i = 0; i < n; i++) {
        producer.send(new ProducerRecord<>(kafka.topics().images().name(), prefix + i,
            PngEncoder.grey(fashion.imageBytes(from + i), 28, 28)));
      }
      producer.flush();
    }
  }

  private static Map<TopicPartition, Long> embeddingsEnds(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
      latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  /** Embeddings by v2 per image, read until {@code done} holds or 90 s passed. */
  private static Map<String, Integer> awaitVersion2(TestKafka kafka,
      java.util.function.Predicate<Map<String, Integer>> done) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    do {
      counts.clear();
      for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(kafka.topics().embeddings().name(),
          Integer.MAX_VALUE, Duration.ofSeconds(2), Duration.ZERO)) {
        EmbeddingRecord e = EmbeddingSerde.decode(r.value());
        if (e.modelVersion() == 2) {
          counts.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
        }
      }
    } while (!done.test(counts) && System.nanoTime() < deadline);
    return counts;
  }

  private static int count(Map<String, Integer> byImage, String prefix) {
    return (int) byImage.keySet().stream().filter(k -> k.startsWith(prefix)).count();
  }
}
