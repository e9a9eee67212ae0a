package io.semistream.learning;

import io.semistream.records.Prediction;

import io.semistream.records.Prototype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.testing.LearnerTesting;
import io.semistream.testing.SyntheticStream;
import io.semistream.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learner as a separate JVM, SIGKILLed mid-stream: exactly-once state must make the crash invisible. */
class LearnerRestartIT {
  // 12,000: the kill still lands mid-stream (after 2,000 predictions) and the restore is real; 30,000 took 200 s.
  private static final int IMAGES = 12_000;
  @TempDir
  Path dir;

  private Process startLearner(TestKafka kafka, Path state, String name) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), "io.semistream.cli.SemistreamCli", "learn",
        "--bootstrap-servers", kafka.bootstrapServers(),
        "-D", "metrics.port=0", "-D", "learner.application.id=learner-it", "-D", "learner.state.dir=" + state,
        "-D", "learner.pseudo.weight=0", "-D", "learner.embedding.dimension=" + SyntheticStream.DIM,
        "-D", "learner.relabel.interval.ms=500", "-D", "learner.http.port=-1",
        "-D", "kafka.session.timeout.ms=6000", "-D", "kafka.heartbeat.interval.ms=1000"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
        .start();
  }

  @Test
  void shouldEndWithTheSamePrototypesAndNoDuplicatePredictionsAfterAKillMidStream() throws Exception {
    try (TestKafka kafka = TestKafka.start(dir.resolve("kafka"))) {
      SyntheticStream stream = new SyntheticStream(6, 11);
      stream.publish(kafka.clients(), kafka.topics(), 0, IMAGES, 0.05);

      Process first = startLearner(kafka, dir.resolve("state-1"), "first");
      long seenAtKill = 0;
      try (KafkaConsumer<byte[], byte[]> counter = kafka.clients().consumer(null, new ByteArrayDeserializer(),
          new ByteArrayDeserializer(), Map.of())) {
        String topic = kafka.topics().predictions().name();
        counter.seekToBeginning(io.semistream.kafka.KafkaClients.assignAll(counter, topic));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (seenAtKill < 2_000 && System.nanoTime() < deadline && first.isAlive()) {
          seenAtKill += counter.poll(Duration.ofMillis(20)).count();
        }
      }
      assertTrue(first.isAlive(), "the learner died on its own; see " + dir.resolve("first.log"));
      first.destroyForcibly();
      first.waitFor(30, TimeUnit.SECONDS);
      assertTrue(seenAtKill >= 2_000 && seenAtKill < IMAGES, "killed mid-stream at " + seenAtKill + " predictions");

      // The replacement starts from an empty state directory: everything comes back from the changelogs.
      Process second = startLearner(kafka, dir.resolve("state-2"), "second");
      try {
        Map<String, Prototype> prototypes = LearnerTesting.awaitPrototypes(kafka, stream.labelledMeans(),
            Duration.ofSeconds(120));
        assertTrue(LearnerTesting.matches(prototypes, stream.labelledMeans()),
            "after the crash the prototypes equal those of an uninterrupted run (the exact batch means)");
        for (var e : prototypes.entrySet()) {
          long n = stream.labels.values().stream().filter(c -> SyntheticStream.className(c).equals(e.getKey()))
              .count();
          assertEquals(n, e.getValue().labelledCount(), e.getKey());
        }
        List<ConsumerRecord<byte[], byte[]>> committed = awaitAllPredicted(kafka, stream.truth.keySet());
        Set<String> versions = new HashSet<>();
        Map<String, Long> maxVersion = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : committed) {
          String id = new String(r.key(), StandardCharsets.UTF_8);
          Prediction p = LearnerTesting.decode(r.value());
          assertTrue(versions.add(id + "#" + p.version()), "prediction " + id + " v" + p.version()
              + " committed twice");
          maxVersion.merge(id, p.version(), Math::max);
        }
        Set<String> missing = new HashSet<>(stream.truth.keySet());
        missing.removeAll(maxVersion.keySet());
        assertEquals(Set.of(), missing, missing.size() + " images have no committed prediction; see "
            + dir.resolve("second.log"));
        for (var e : maxVersion.entrySet()) {
          long count = committed.stream().filter(r -> new String(r.key(), StandardCharsets.UTF_8)
              .equals(e.getKey())).count();
          assertEquals(e.getValue(), count, "versions of " + e.getKey() + " are 1..n without gaps or repeats");
        }
      } finally {
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
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
