package io.semistream.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.semistream.config.SemistreamConfig;
import io.semistream.records.ClassCandidate;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.Prediction;
import io.semistream.serving.LearnerRuntime;
import io.semistream.testing.LearnerTesting;
import io.semistream.testing.SyntheticStream;
import io.semistream.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New-class discovery on a real broker with the real learner: a class no one labelled arrives, its images are
 * flagged as anomalies, the discovery service publishes it as a candidate, one label on an exemplar names it and
 * the learner re-predicts its images as that class.
 */
class DiscoveryIT {
  @TempDir
  Path dir;
  private final Random random = new Random(11);
  private SimpleMeterRegistry registry;

  @Test
  void shouldTurnAnUnlabelledGroupOfAnomaliesIntoACandidateAndAClassByOneLabel() throws Exception {
    try (TestKafka kafka = TestKafka.start(dir)) {
      SemistreamConfig base = LearnerTesting.config(kafka, dir.resolve("state"), 0.2, -1);
      SemistreamConfig config = base.withDiscovery(base.discovery().withEnabled(true).withMinSize(30));
      SyntheticStream known = new SyntheticStream(3, 5);
      List<String> novel = new ArrayList<>();
      float[] centre = centre();
      registry = new SimpleMeterRegistry();
      try (LearnerRuntime learner = LearnerRuntime.start(config, kafka.topics(), registry)) {
        known.publish(kafka.clients(), kafka.topics(), 0, 1_200, 0.1);
        LearnerTesting.predictions(kafka, 1_200, Duration.ofSeconds(60));
        // Until a task has seen its warm-up it flags nothing, and images scored while some class had no prototype
        // yet (distance ~34 to another class) sit in its window of 200 and hold the threshold up there. Familiar
        // images until the threshold is back at the familiar distances (~8) and well below a new class's.
        for (int from = 1_200; (scored() < 400 || threshold() > 20) && from < 8_000; from += 400) {
          known.publish(kafka.clients(), kafka.topics(), from, 400, 0.1);
          LearnerTesting.predictions(kafka, from + 400, Duration.ofSeconds(30));
        }
        assertTrue(scored() >= 400 && threshold() <= 20, "the anomaly detector warmed up: " + scored()
            + " images scored, threshold " + threshold());
        publish(kafka, "new-", 0, 150, centre, novel);
        ClassCandidate candidate = awaitCandidate(kafka, c -> c.adoptedAs() == null && c.size() >= 30);
        assertTrue(novel.containsAll(candidate.exemplars()), "every exemplar is an image of the new class: "
            + candidate.exemplars());
        assertEquals(1, candidate.modelVersion());

        // One label on an exemplar names the candidate; the learner's relabel rounds move its images over.
        label(kafka, candidate.exemplars().get(0), "class-new");
        ClassCandidate adopted = awaitCandidate(kafka, c -> "class-new".equals(c.adoptedAs()));
        assertEquals(candidate.id(), adopted.id());
        Map<String, Prediction> latest = awaitLatest(kafka, novel, p -> p.className().equals("class-new"));
        long moved = novel.stream().filter(id -> latest.get(id).className().equals("class-new")).count();
        assertEquals(novel.size(), moved, "every image of the new class re-predicted as it");
      }
    }
  }

  private double threshold() {
    return registry.get("semistream.learner.anomaly.threshold").gauge().value();
  }

  private long scored() {
    return registry.get("semistream.learner.anomaly.score").summary().count();
  }

  /** A class centre like SyntheticStream's (N(0, 9) per dimension). */
  private float[] centre() {
    float[] c = new float[SyntheticStream.DIM];
    for (int d = 0; d < c.length; d++) {
      c[d] = (float) random.nextGaussian() * 3;
    }
    return c;
  }

  /** Images of a class with no label: tighter than the known ones (noise 0.5), so clearly one group. */
  private void publish(TestKafka kafka, String prefix, int from, int count, float[] centre, List<String> ids)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = kafka.clients().producer(new ByteArraySerializer(),
        new ByteArraySerializer(), Map.of())) {
      for (int i = from; i < from + count; i++) {
        float[] v = new float[SyntheticStream.DIM];
        for (int d = 0; d < v.length; d++) {
          v[d] = centre[d] + 0.5f * (float) random.nextGaussian();
        }
        String id = prefix + i;
        ids.add(id);
        producer.send(new ProducerRecord<>(kafka.topics().embeddings().name(), bytes(id),
            EmbeddingSerde.encode(new EmbeddingRecord(v, 0.2f, "syn", 1, 5_000L + i)))).get();
      }
    }
  }

  private void label(TestKafka kafka, String id, String className) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = kafka.clients().producer(new ByteArraySerializer(),
        new ByteArraySerializer(), Map.of())) {
      producer.send(new ProducerRecord<>(kafka.topics().labels().name(), bytes(id),
          new JsonSerde<>(LabelRecord.class).encode(new LabelRecord(className, "it", 1)))).get();
    }
  }

  /** The compacted view of class-candidates. */
  private static Map<String, ClassCandidate> candidate(TestKafka kafka) {
    JsonSerde<ClassCandidate> serde = new JsonSerde<>(ClassCandidate.class);
    Map<String, ClassCandidate> view = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(kafka.topics().classCandidates().name(), 1,
        Duration.ofSeconds(5), Duration.ofSeconds(1))) {
      String id = new String(r.key(), StandardCharsets.UTF_8);
      if (r.value() == null) {
        view.remove(id);
      } else {
        view.put(id, serde.decode(r.value()));
      }
    }
    return view;
  }

  private ClassCandidate awaitCandidate(TestKafka kafka, Predicate<ClassCandidate> wanted) {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      for (ClassCandidate c : candidate(kafka).values()) {
        if (wanted.test(c)) {
          return c;
        }
      }
    }
    StringBuilder meters = new StringBuilder();
    registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("semistream.discovery")
            || m.getId().getName().startsWith("semistream.learner.anomal"))
        .forEach(m -> m.measure().forEach(x -> meters.append(m.getId().getName()).append(m.getId().getTags())
            .append('=').append(x.getValue()).append("; ")));
    Map<String, String> statuses = new java.util.TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> r : LearnerTesting.predictions(kafka, 1, Duration.ofSeconds(5))) {
      String id = new String(r.key(), StandardCharsets.UTF_8);
      if (id.startsWith("other-")) {
        Prediction p = LearnerTesting.decode(r.value());
        statuses.merge(id, p.status() + "@" + p.version(), (a, b) -> a + "," + b);
      }
    }
    throw new AssertionError("no such candidate within 90 s; predictions of the second class: " + statuses
        + "; candidates: " + candidate(kafka).values()
        + "; anomalies on the topic: " + kafka.readCommitted(kafka.topics().anomalies().name(), 1,
        Duration.ofSeconds(3), Duration.ofSeconds(1)).size() + "; meters: " + meters);
  }

  private static Map<String, Prediction> awaitLatest(TestKafka kafka, List<String> ids, Predicate<Prediction> done) {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    Map<String, Prediction> latest = new HashMap<>();
    while (System.nanoTime() < deadline) {
      latest.clear();
      for (ConsumerRecord<byte[], byte[]> r : LearnerTesting.predictions(kafka, 1, Duration.ofSeconds(5))) {
        latest.merge(new String(r.key(), StandardCharsets.UTF_8), LearnerTesting.decode(r.value()),
            (a, b) -> b.version() >= a.version() ? b : a);
      }
      if (ids.stream().allMatch(id -> latest.containsKey(id) && done.test(latest.get(id)))) {
        return latest;
      }
    }
    ids.forEach(id -> assertNotNull(latest.get(id), "a prediction for " + id));
    return latest;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
