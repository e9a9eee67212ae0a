package io.semistream.learning;

import io.semistream.config.SemistreamConfig;
import io.semistream.records.ClassSemantics;
import io.semistream.records.SynthesizedPrototype;
import io.semistream.zeroshot.ZeroShotTesting;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import io.semistream.records.Prediction;

import io.semistream.records.Prototype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.testing.LearnerTesting;
import io.semistream.testing.SyntheticStream;
import io.semistream.testing.CliProcess;
import io.semistream.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner as a separate JVM, SIGKILLed {@value #KILLS} times at random points of one stream: exactly-once
 * state must make every crash invisible (prototypes bit-identical to an uninterrupted run, every image predicted,
 * no prediction version committed twice, none skipped). The zero-shot service runs in the same process and dies
 * with it: its synthesized prototypes (two classes with semantic vectors and no labels) must end exactly as its
 * pure function gives them for the final tables.
 */
class LearnerRestartIT {
  // 12,000 images, arriving paced while the learners come and go. Six kills cover both restart kinds three times
  // each (empty and killed state directory) and the junk restore.
  private static final int IMAGES = 12_000;
  private static final int KILLS = 6;
  private static final int CHUNK = 100;
  private static final int CHUNK_PAUSE_MS = 800;
  private static final int JUNK_BEFORE_RUN = 5;   // odd: a run that starts from an empty state directory
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private Process startLearner(TestKafka kafka, Path state, String name) throws Exception {
    return CliProcess.start(dir.resolve(name + ".log"), "1g", "learn",
        "--bootstrap-servers", kafka.bootstrapServers(),
        "-D", "metrics.port=0", "-D", "learner.application.id=learner-it", "-D", "learner.state.dir=" + state,
        "-D", "learner.pseudo.weight=0", "-D", "learner.embedding.dimension=" + SyntheticStream.DIM,
        "-D", "learner.relabel.interval.ms=500", "-D", "learner.http.port=-1", "-D", "web.port=-1",
        "-D", "kafka.session.timeout.ms=2000", "-D", "kafka.heartbeat.interval.ms=500",
        // Discovery restarts are DiscoveryIT's; here it would only slow every replacement down.
        "-D", "discovery.enabled=false", "-D", "asking.enabled=false");
  }

  @Test
  void shouldEndWithBitIdenticalPrototypesAndNoDuplicateOrMissingPredictionsAfterRepeatedKills() throws Exception {
    try (TestKafka kafka = TestKafka.start(dir.resolve("kafka"))) {
      SyntheticStream stream = new SyntheticStream(6, 11);
      Map<String, double[]> semantics = publishSemantics(kafka, 6, 2);
      // The stream arrives while the learners come and go (paced, ~120 images/s), so that every replacement has
      // new work: with the whole stream published up front the first learner got through most of it before the
      // first kill, and later kills found their targets met and killed replacements before they had started.
      AtomicInteger published = new AtomicInteger();
      AtomicReference<Throwable> publishFailure = new AtomicReference<>();
      AtomicBoolean paced = new AtomicBoolean(true);   // until the last kill; the rest of the stream at full speed
      Thread publisher = new Thread(() -> {
        try {
          for (int from = 0; from < IMAGES; from += CHUNK) {
            stream.publish(kafka.clients(), kafka.topics(), from, CHUNK, 0.05);
            published.addAndGet(CHUNK);
            if (paced.get()) {
              Thread.sleep(CHUNK_PAUSE_MS);
            }
          }
        } catch (Throwable e) {
          publishFailure.set(e);
        }
      }, "paced-publisher");
      Random random = new Random(42);
      int changelogsWithJunk = 0;
      List<Integer> killedAt = new ArrayList<>();
      Process learner = startLearner(kafka, dir.resolve("state-0"), "run-0");
      publisher.start();
      try (KafkaConsumer<byte[], byte[]> counter = kafka.clients().consumer(null, new ByteArrayDeserializer(),
          new ByteArrayDeserializer(), Map.of("isolation.level", "read_committed"))) {
        String topic = kafka.topics().predictions().name();
        counter.seekToBeginning(io.semistream.kafka.KafkaClients.assignAll(counter, topic));
        long committed = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
          // Kill k once the process running now has committed 100 + [0, 300) predictions of its own: every kill
          // lands in the middle of work (the stream is still arriving, or its backlog is being worked off).
          long target = committed + 100 + random.nextInt(300);
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
          while (committed < target && System.nanoTime() < deadline && learner.isAlive()) {
            committed += counter.poll(Duration.ofMillis(20)).count();
          }
          assertTrue(learner.isAlive(), "the learner died on its own; see " + dir.resolve("run-" + (kill - 1)
              + ".log"));
          assertTrue(committed >= target, "before kill " + kill + ": " + committed + " committed predictions, "
              + target + " expected; see " + dir.resolve("run-" + (kill - 1) + ".log"));
          learner.destroyForcibly();
          learner.waitFor(30, TimeUnit.SECONDS);
          killedAt.add(published.get());
          // Count everything the killed process committed, so that the next target is the next process' own work.
          committed += CliProcess.drain(counter);
          // Every other replacement starts from an empty state directory (everything from the changelogs), the
          // others from the killed process' directory (local state after an unclean shutdown).
          Path state = dir.resolve(kill % 2 == 0 ? "state-0" : "state-" + kill);
          if (kill == JUNK_BEFORE_RUN) {
            // This replacement restores everything from the changelogs, which hold junk now (any client can write
            // to them): unreadable entries are read as absent, and the junk keys collide with no real entry.
            changelogsWithJunk = writeJunkToChangelogs(kafka);
          }
          learner = startLearner(kafka, state, "run-" + kill);
        }
      }
      paced.set(false);
      publisher.join(TimeUnit.SECONDS.toMillis(120));
      assertEquals(null, publishFailure.get());
      assertEquals(IMAGES, published.get());
      try {
        Map<String, double[]> uninterrupted = stream.exactLabelledMeans();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        Map<String, Prototype> prototypes = Map.of();
        while (System.nanoTime() < deadline && !LearnerTesting.labelledMeansEqual(prototypes, uninterrupted)) {
          prototypes = LearnerTesting.prototypes(kafka, Integer.MAX_VALUE, Duration.ofSeconds(2));
        }
        assertTrue(LearnerTesting.labelledMeansEqual(prototypes, uninterrupted),
            "after " + KILLS + " kills the prototypes equal an uninterrupted run's to the bit");
        for (var e : prototypes.entrySet()) {
          long n = stream.labels.values().stream().filter(c -> SyntheticStream.className(c).equals(e.getKey()))
              .count();
          assertEquals(n, e.getValue().labelledCount(), e.getKey());
        }
        // The zero-shot service runs in the same process and died with it each time: its table must be what its
        // pure function gives for the final (bit-identical) prototypes, nothing stale, nothing missing.
        Map<String, SynthesizedPrototype> expected = ZeroShotTesting.expected(semantics, prototypes,
            SemistreamConfig.defaults().learner().zeroShot().ridgeLambda());
        assertEquals(2, expected.size());
        Map<String, SynthesizedPrototype> synthesized = Map.of();
        long zeroShotDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!synthesized.equals(expected) && System.nanoTime() < zeroShotDeadline) {
          synthesized = zeroShotTable(kafka);
        }
        StringBuilder restored = new StringBuilder();
        for (int run = JUNK_BEFORE_RUN; run <= KILLS; run++) {
          restored.append(Files.readString(dir.resolve("run-" + run + ".log")));
        }
        // Once seen under load (a class missing from the zero-shot service's seen classes): what the watchdog aborted
        // and what the zero-shot service logged are the first things to read, so the failure names them.
        assertEquals(expected, synthesized, () -> "the synthesized prototypes after " + KILLS + " kills; logs in "
            + dir + "; hanging-transaction aborts and zero-shot lines of every run:\n"
            + linesOfAllRuns(dir, "aborted a hanging transaction", "zero-shot"));
        assertTrue(changelogsWithJunk >= 8, changelogsWithJunk + " changelogs");
        assertTrue(restored.indexOf("state store learner-images: an entry of") >= 0
            && restored.indexOf("state store zeroshot-semantics: an entry of") >= 0, "junk read as absent, logged");
        List<ConsumerRecord<byte[], byte[]>> committed = awaitAllPredicted(kafka, stream.truth.keySet());
        Set<String> versions = new HashSet<>();
        Map<String, Long> maxVersion = new HashMap<>();
        Map<String, Long> records = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : committed) {
          String id = new String(r.key(), StandardCharsets.UTF_8);
          Prediction p = LearnerTesting.decode(r.value());
          assertTrue(versions.add(id + "#" + p.version()), "prediction " + id + " v" + p.version()
              + " committed twice");
          maxVersion.merge(id, p.version(), Math::max);
          records.merge(id, 1L, Long::sum);
        }
        Set<String> missing = new HashSet<>(stream.truth.keySet());
        missing.removeAll(maxVersion.keySet());
        assertEquals(Set.of(), missing, missing.size() + " images have no committed prediction; see "
            + dir.resolve("run-" + KILLS + ".log"));
        assertEquals(maxVersion, records, "every image's versions are 1..n without gaps or repeats");
        System.err.printf("learner kill campaign: %d kills, %s images published at each; %d images, %d "
            + "predictions, prototypes bit-identical, %d synthesized zero-shot prototypes as from the final "
            + "tables, 0 lost, 0 duplicated%n", KILLS, killedAt, IMAGES, committed.size(), synthesized.size());
      } finally {
        learner.destroy();
        learner.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Lines of every run's log that contain any of the markers, each prefixed with its run. */
  private static String linesOfAllRuns(Path dir, String... markers) {
    StringBuilder out = new StringBuilder();
    for (int run = 0; run <= KILLS; run++) {
      Path log = dir.resolve("run-" + run + ".log");
      if (!Files.exists(log)) {
        continue;
      }
      List<String> lines;
      try {
        lines = Files.readAllLines(log);
      } catch (java.io.IOException e) {
        out.append("run ").append(run).append(": unreadable log (").append(e).append(")\n");
        continue;
      }
      for (String line : lines) {
        for (String marker : markers) {
          if (line.contains(marker)) {
            out.append("run ").append(run).append(": ").append(line).append('\n');
            break;
          }
        }
      }
    }
    return out.toString();
  }

  /** A junk entry under a key of its own on every changelog of the learner and the zero-shot service. */
  private static int writeJunkToChangelogs(TestKafka kafka) throws Exception {
    List<String> changelogs;
    try (var admin = kafka.clients().admin()) {
      changelogs = admin.listTopics().names().get().stream()
          .filter(t -> t.startsWith("learner-it-") && t.endsWith("-changelog")).sorted().toList();
    }
    try (KafkaProducer<byte[], byte[]> producer = kafka.clients().producer(new ByteArraySerializer(),
        new ByteArraySerializer(), Map.of())) {
      for (String changelog : changelogs) {
        // "junk" is no image id or class name in this stream, and 4 bytes are no long key (8 bytes).
        producer.send(new ProducerRecord<>(changelog, 0, "junk".getBytes(StandardCharsets.UTF_8),
            "this is not a state entry".getBytes(StandardCharsets.UTF_8))).get();
      }
    }
    return changelogs.size();
  }

  /** Semantic vectors (5 attributes) for the stream's classes and {@code unseen} classes nobody labels. */
  private static Map<String, double[]> publishSemantics(TestKafka kafka, int classes, int unseen) {
    Random random = new Random(3);
    Map<String, double[]> semantics = new HashMap<>();
    var topic = kafka.topics().classSemantics();
    try (KafkaProducer<String, byte[]> producer = kafka.clients().producer(new StringSerializer(),
        new ByteArraySerializer(), Map.of())) {
      for (int c = 0; c < classes + unseen; c++) {
        String name = c < classes ? SyntheticStream.className(c) : "unseen-" + c;
        double[] attributes = random.doubles(5).toArray();
        semantics.put(name, attributes);
        producer.send(new ProducerRecord<>(topic.name(), name, topic.valueSerde().serializer().serialize(
            topic.name(), new ClassSemantics(name, attributes, null, 1L))));
      }
    }
    return semantics;
  }

  /** The zero-shot-prototypes table as a reader of the compacted topic sees it: the latest value per class. */
  private static Map<String, SynthesizedPrototype> zeroShotTable(TestKafka kafka) {
    var topic = kafka.topics().zeroShotPrototypes();
    Map<String, SynthesizedPrototype> table = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(topic.name(), Integer.MAX_VALUE,
        Duration.ofSeconds(2), Duration.ZERO)) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      if (r.value() == null) {
        table.remove(key);
      } else {
        table.put(key, topic.valueSerde().deserializer().deserialize(topic.name(), r.value()));
      }
    }
    return table;
  }

  private static List<ConsumerRecord<byte[], byte[]>> awaitAllPredicted(TestKafka kafka, Set<String> ids)
      throws InterruptedException {
    // 30,000 images through two re-keying hops after a restore: 120 s was not always enough on 2 shared cores.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    List<ConsumerRecord<byte[], byte[]>> committed = List.of();
    while (System.nanoTime() < deadline) {
      committed = LearnerTesting.predictions(kafka, ids.size(), Duration.ofSeconds(5));
      Set<String> seen = new HashSet<>();
      committed.forEach(r -> seen.add(new String(r.key(), StandardCharsets.UTF_8)));
      if (seen.containsAll(ids)) {
        return committed;
      }
      Thread.sleep(500);
    }
    return committed;
  }
}
