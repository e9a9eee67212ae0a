package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.learning.LearnerService;
import io.semistream.model.EmbeddingModel;
import io.semistream.model.ModelStore;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.ModelVersion;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.replay.PngEncoder;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.Replayer;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.LearnerTesting;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import io.semistream.training.LabelledReservoir;
import io.semistream.training.OnlineTrainer;
import io.semistream.training.RecentImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version promoted mid-stream: the embedding service switches at a batch boundary without a restart and
 * re-embeds the retained images; the learner never sums two versions into one prototype, ends with prototypes
 * of the new version only (the exact means of the labelled images' new embeddings), and every image's final
 * prediction comes from the new version. Nothing is lost.
 */
class ModelSwitchIT {
  private static final int IMAGES = 1_200;
  /** Published the moment v2 serves: they must not wait behind the re-embedding of the retained images. */
  private static final int FRESH = 40;

  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  @TempDir
  Path dir;

  /** The trainer's announcement that v2 is promoted, as the embedding service follows it. */
  static void promoteVersion2(TestKafka kafka) throws Exception {
    try (KafkaProducer<String, byte[]> producer = kafka.clients().producer(new StringSerializer(),
        new ByteArraySerializer(), Map.of())) {
      ModelVersion promoted = new ModelVersion("conv-ae-64", 2, 1, ModelVersion.Status.PROMOTED, 200, 0.8, 0.7,
          40, 6, 2, -1.0, 20, System.currentTimeMillis());
      producer.send(new ProducerRecord<>(kafka.topics().modelVersions().name(), "conv-ae-64",
          new JsonSerde<>(ModelVersion.class).encode(promoted))).get();
    }
  }

  /** v2: really trained (a few steps from v1 on some labelled images), so its embeddings differ from v1's. */
  static void trainVersion2(ModelStore store, Dataset fashion) throws Exception {
    LabelledReservoir labelled = new LabelledReservoir(50, 1);
    RecentImages recent = new RecentImages(256);
    Map<String, Integer> classIndex = new HashMap<>();
    for (int i = 5_000; i < 5_200; i++) {
      String c = fashion.classNames().get(fashion.label(i));
      labelled.add("t" + i, c, fashion.imageAsFloats(i));
      classIndex.putIfAbsent(c, classIndex.size());
      recent.add(fashion.imageAsFloats(i));
    }
    try (OnlineTrainer trainer = OnlineTrainer.startFrom(store.versionDir(1), Device.cpu(),
        new OnlineTrainer.Options(16, 32, 32, 1e-3f, 0, 0.95, 1, 1, 32, OnlineTrainer.Head.LINEAR, 10f, 3))) {
      for (int s = 0; s < 20; s++) {
        trainer.step(labelled, recent, classIndex);
      }
      assertEquals(store.versionDir(2), trainer.saveCandidate(store, 200, Double.NaN, "test"));
    }
  }

  /** How many of {@code records} embed each image with {@code version}. */
  private static Map<String, Integer> embeddingsPerImage(List<ConsumerRecord<byte[], byte[]>> records, int version) {
    Map<String, Integer> counts = new HashMap<>();
    for (var r : records) {
      if (EmbeddingSerde.decode(r.value()).modelVersion() == version) {
        counts.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
      }
    }
    return counts;
  }

  @Test
  void shouldSwitchVersionsMidStreamWithoutLosingOrMixingAnything() throws Exception {
    TestKafka kafka = KAFKA.kafka();
    var topics = kafka.topics();
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    ModelStore store = new ModelStore(dir.resolve("models"));
    store.importVersion(TestModels.tinyVersionDir());
    trainVersion2(store, fashion);
    var config = kafka.config().withLearner(LearnerTesting.learner(dir.resolve("state"), Map.of(
        "learner.pseudo.weight", "0", "learner.embedding.dimension", "64")));
    try (EmbeddingModel v1 = EmbeddingModel.load(store.versionDir(1), Device.cpu());
         EmbeddingService embedder = new EmbeddingService(config.embedding(), kafka.clients(), topics, v1).start();
         LearnerService learner = new LearnerService(config, topics, null).start()) {
      ReplayOptions options = ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(IMAGES)
          .withLabelFraction(0.05);
      var replayed = Replayer.publish(kafka.clients(), topics, fashion, options, System.err);
      List<ConsumerRecord<byte[], byte[]>> before = kafka.readCommitted(topics.embeddings().name(), IMAGES,
          Duration.ofSeconds(120), Duration.ZERO);
      assertEquals(IMAGES, before.size(), "all embedded by v1 first");
      LearnerTesting.predictions(kafka, IMAGES, Duration.ofSeconds(60));

      promoteVersion2(kafka);
      long switchDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      // Every worker switched and planned the re-embedding of the retained images (the service's version changes
      // first; each worker takes it at its own next batch boundary: a fresh image that a worker polled before its
      // switch is embedded by v1 and then again by the backfill, which this test's counts do not allow for).
      while ((embedder.backfillRemaining() == 0 || !embedder.everyWorkerServes(2))
          && System.nanoTime() < switchDeadline) {
        Thread.sleep(2);
      }
      try (KafkaProducer<String, byte[]> producer = kafka.clients().producer(new StringSerializer(),
          new ByteArraySerializer(), Map.of())) {
        for (int i = 0; i < FRESH; i++) {
          producer.send(new ProducerRecord<>(topics.images().name(), "fresh-" + i,
              PngEncoder.grey(fashion.imageBytes(6_000 + i), 28, 28)));
        }
        producer.flush();
      }

      Map<String, EmbeddingRecord> latest = new HashMap<>();
      List<ConsumerRecord<byte[], byte[]>> all = List.of();
      long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
      while (System.nanoTime() < deadline) {
        latest.clear();
        all = kafka.readCommitted(topics.embeddings().name(), Integer.MAX_VALUE, Duration.ofSeconds(3),
            Duration.ZERO);
        for (var r : all) {
          EmbeddingRecord e = EmbeddingSerde.decode(r.value());
          latest.merge(new String(r.key(), StandardCharsets.UTF_8), e,
              (a, b) -> b.modelVersion() >= a.modelVersion() ? b : a);
        }
        if (latest.size() == IMAGES + FRESH && latest.values().stream().allMatch(e -> e.modelVersion() == 2)) {
          break;
        }
        Thread.sleep(1_000);
      }
      assertEquals(2, embedder.servingVersion(), "switched without a restart");
      assertEquals(IMAGES + FRESH, latest.size(), "no image lost");
      assertTrue(latest.values().stream().allMatch(e -> e.modelVersion() == 2), "every image re-embedded by v2");
      Map<String, Integer> byVersion2 = embeddingsPerImage(all, 2);
      assertEquals(IMAGES + FRESH, byVersion2.size());
      assertTrue(byVersion2.values().stream().allMatch(n -> n == 1), "each image embedded by v2 exactly once: "
          + byVersion2.entrySet().stream().filter(e -> e.getValue() > 1).limit(5).toList());
      Map<String, Integer> byVersion1 = embeddingsPerImage(all, 1);
      assertEquals(IMAGES + IMAGES + FRESH, all.size(), "and each retained one by v1 once; by v1 more than once: "
          + byVersion1.entrySet().stream().filter(e -> e.getValue() > 1).limit(5).toList() + ", fresh ones by v1: "
          + byVersion1.keySet().stream().filter(k -> k.startsWith("fresh-")).limit(5).toList());
      assertFreshImagesDidNotWaitForTheBackfill(all);
      assertEquals(0, embedder.backfillRemaining());
      for (int i = 0; i < FRESH; i++) {
        latest.remove("fresh-" + i);   // the checks below are about the retained images
      }
      // The novelty view: while v1 served its vector was the view; now each image carries its v1 vector beside.
      Map<String, float[]> firstVectors = new HashMap<>();
      for (var r : before) {
        EmbeddingRecord e = EmbeddingSerde.decode(r.value());
        assertEquals(1, e.noveltyVersion());
        assertTrue(!e.hasOwnNoveltyVector(), "v1 serves: no second vector");
        firstVectors.put(new String(r.key(), StandardCharsets.UTF_8), e.vector());
      }
      for (var e : latest.entrySet()) {
        assertEquals(1, e.getValue().noveltyVersion(), e.getKey());
        float[] first = firstVectors.get(e.getKey());
        float[] view = e.getValue().noveltyVector();
        for (int d = 0; d < first.length; d++) {
          assertEquals(first[d], view[d], 1e-4, e.getKey() + ": the v1 vector, again, beside v2's");
        }
      }

      // The labelled images' v2 embeddings give the expected prototypes, exactly.
      Map<String, double[]> sums = new HashMap<>();
      Map<String, Integer> counts = new HashMap<>();
      Map<String, double[]> noveltySums = new HashMap<>();
      JsonSerde<LabelRecord> labels = new JsonSerde<>(LabelRecord.class);
      for (var r : kafka.readCommitted(topics.labels().name(), (int) replayed.labels(), Duration.ofSeconds(30),
          Duration.ZERO)) {
        String c = labels.decode(r.value()).className();
        float[] v = latest.get(new String(r.key(), StandardCharsets.UTF_8)).vector();
        float[] first = firstVectors.get(new String(r.key(), StandardCharsets.UTF_8));
        double[] s = sums.computeIfAbsent(c, k -> new double[64]);
        double[] n = noveltySums.computeIfAbsent(c, k -> new double[64]);
        for (int d = 0; d < 64; d++) {
          s[d] += v[d];
          n[d] += first[d];
        }
        counts.merge(c, 1, Integer::sum);
      }
      sums.forEach((c, s) -> {
        for (int d = 0; d < 64; d++) {
          s[d] /= counts.get(c);
        }
      });
      Map<String, Prototype> prototypes = awaitVersion2Prototypes(kafka, sums);
      for (var e : prototypes.entrySet()) {
        assertEquals(2, e.getValue().modelVersion(), e.getKey());
        assertEquals((long) counts.get(e.getKey()), e.getValue().labelledCount(), e.getKey() + ": no v1 member left");
        for (int d = 0; d < 64; d++) {
          assertEquals(sums.get(e.getKey())[d], e.getValue().vector()[d], 1e-4, e.getKey() + " dim " + d);
          assertEquals(noveltySums.get(e.getKey())[d] / counts.get(e.getKey()), e.getValue().noveltyVector()[d],
              1e-4, e.getKey() + ": the labels' v1 mean, dim " + d);
        }
      }

      Map<String, Prediction> finalPredictions = awaitPredictionsOfVersion2(kafka);
      assertEquals(IMAGES + FRESH, finalPredictions.size());
      assertTrue(finalPredictions.values().stream().allMatch(p -> p.modelVersion() == 2),
          "every final prediction comes from v2");
      assertTrue(finalPredictions.values().stream().anyMatch(p -> p.version() > 1), "corrections were emitted");
    }
  }

  /**
   * In each partition of {@code embeddings}, a fresh image's embedding comes before the last re-embedded retained
   * image's: it was embedded while the backfill still had images to go, not after it. (Before, the worker sought
   * back to the start and fresh images queued behind the whole backlog.)
   */
  private static void assertFreshImagesDidNotWaitForTheBackfill(List<ConsumerRecord<byte[], byte[]>> all) {
    Map<Integer, Long> lastRetained = new HashMap<>();
    Map<String, ConsumerRecord<byte[], byte[]>> fresh = new HashMap<>();
    for (var r : all) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      if (key.startsWith("fresh-")) {
        fresh.put(key, r);
      } else if (EmbeddingSerde.decode(r.value()).modelVersion() == 2) {
        lastRetained.merge(r.partition(), r.offset(), Math::max);
      }
    }
    long early = fresh.values().stream().filter(r -> r.offset() < lastRetained.getOrDefault(r.partition(), -1L))
        .count();
    System.err.printf("model switch: %d of %d fresh images embedded before the backfill of the retained ones ended%n",
        early, FRESH);
    assertTrue(early >= FRESH / 2, early + " of " + FRESH + " fresh images embedded before the backfill ended");
  }

  private static Map<String, Prototype> awaitVersion2Prototypes(TestKafka kafka, Map<String, double[]> expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    Map<String, Prototype> view = Map.of();
    while (System.nanoTime() < deadline) {
      view = LearnerTesting.prototypes(kafka, Integer.MAX_VALUE, Duration.ofSeconds(2));
      if (view.keySet().equals(expected.keySet()) && view.values().stream().allMatch(p -> p.modelVersion() == 2)
          && LearnerTesting.matchesWithin(view, expected, 1e-4)) {
        return view;
      }
      Thread.sleep(500);
    }
    return view;
  }

  private static Map<String, Prediction> awaitPredictionsOfVersion2(TestKafka kafka) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    Map<String, Prediction> latest = new HashMap<>();
    while (System.nanoTime() < deadline) {
      latest.clear();
      for (var r : LearnerTesting.predictions(kafka, IMAGES, Duration.ofSeconds(5))) {
        Prediction p = LearnerTesting.decode(r.value());
        latest.merge(new String(r.key(), StandardCharsets.UTF_8), p, (a, b) -> b.version() >= a.version() ? b : a);
      }
      if (latest.size() == IMAGES + FRESH && latest.values().stream().allMatch(p -> p.modelVersion() == 2)) {
        break;
      }
      Thread.sleep(1_000);
    }
    return latest;
  }
}
