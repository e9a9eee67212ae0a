package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.model.ModelStore;
import io.semistream.records.EmbeddingSerde;
import io.semistream.replay.PngEncoder;
import io.semistream.testing.CliProcess;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the embedding service while it re-embeds the retained images after a promotion, twice: each restart
 * serves the promoted version at once and continues the backfill from its last committed transaction, so every
 * retained image ends with exactly one embedding of the new version (and its one of the old), none lost.
 */
class BackfillRestartIT {
  private static final int IMAGES = 2_500;
  private static final int KILLS = 2;
  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  @TempDir
  Path dir;

  private Process startEmbedder(TestKafka kafka, ModelStore store, String name) throws Exception {
    return CliProcess.start(dir.resolve(name + ".log"), "1g", "embed",
        "--bootstrap-servers", kafka.bootstrapServers(), "--model", store.versionDir(1).toString(),
        "-D", "metrics.port=0", "-D", "embedding.batch.size=16", "-D", "embedding.max.wait.ms=20",
        "-D", "kafka.session.timeout.ms=2000", "-D", "kafka.heartbeat.interval.ms=500");
  }

  /** The end of a run's log, for a failure message (the temporary folder goes with the test). */
  private String logTail(String name) {
    try {
      List<String> lines = java.nio.file.Files.readAllLines(dir.resolve(name + ".log"));
      return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (java.io.IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Counts what the consumer reads, by model version. */
  private static void count(KafkaConsumer<byte[], byte[]> counter, Map<Integer, Long> byVersion, Duration wait) {
    for (ConsumerRecord<byte[], byte[]> r : counter.poll(wait)) {
      byVersion.merge(EmbeddingSerde.decode(r.value()).modelVersion(), 1L, Long::sum);
    }
  }

  @Test
  void shouldReembedEveryRetainedImageExactlyOnceWhenKilledDuringTheBackfill() throws Exception {
    TestKafka kafka = KAFKA.kafka();
    var topics = kafka.topics();
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    ModelStore store = new ModelStore(dir.resolve("models"));
    store.importVersion(TestModels.tinyVersionDir());
    ModelSwitchIT.trainVersion2(store, fashion);
    try (KafkaProducer<String, byte[]> producer = kafka.clients().producer(new StringSerializer(),
        new ByteArraySerializer(), Map.of())) {
      for (int i = 0; i < IMAGES; i++) {
        producer.send(new ProducerRecord<>(topics.images().name(), "img-" + i,
            PngEncoder.grey(fashion.imageBytes(i), 28, 28)));
      }
      producer.flush();
    }
    Process embedder = startEmbedder(kafka, store, "run-0");
    List<Long> killedAtVersion2 = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> counter = kafka.clients().consumer(null, new ByteArrayDeserializer(),
        new ByteArrayDeserializer(), Map.of("isolation.level", "read_committed"))) {
      counter.seekToBeginning(io.semistream.kafka.KafkaClients.assignAll(counter, topics.embeddings().name()));
      Map<Integer, Long> byVersion = new HashMap<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (byVersion.getOrDefault(1, 0L) < IMAGES && System.nanoTime() < deadline) {
        count(counter, byVersion, Duration.ofMillis(50));
      }
      assertEquals(IMAGES, byVersion.getOrDefault(1, 0L), "all embedded by v1 first");
      ModelSwitchIT.promoteVersion2(kafka);
      for (int kill = 1; kill <= KILLS; kill++) {
        // Kill once this process has committed some re-embeddings of its own, while the backfill is unfinished.
        long target = byVersion.getOrDefault(2, 0L) + 100;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (byVersion.getOrDefault(2, 0L) < target && System.nanoTime() < deadline && embedder.isAlive()) {
          count(counter, byVersion, Duration.ofMillis(10));
        }
        assertTrue(embedder.isAlive(), "the embedder died on its own: " + logTail("run-" + (kill - 1)));
        assertTrue(byVersion.getOrDefault(2, 0L) >= target, "before kill " + kill + ": " + byVersion
            + " committed embeddings by version, " + target + " of v2 expected: " + logTail("run-" + (kill - 1)));
        embedder.destroyForcibly();
        embedder.waitFor(30, TimeUnit.SECONDS);
        for (int quiet = 0; quiet < 10; quiet++) {
          long before = byVersion.getOrDefault(2, 0L);
          count(counter, byVersion, Duration.ofMillis(100));
          quiet = byVersion.getOrDefault(2, 0L) == before ? quiet : 0;
        }
        killedAtVersion2.add(byVersion.getOrDefault(2, 0L));
        assertTrue(byVersion.getOrDefault(2, 0L) < IMAGES, "kill " + kill + " came after the backfill ended ("
            + byVersion + "): it tests nothing");
        embedder = startEmbedder(kafka, store, "run-" + kill);
      }
    }
    try {
      Map<String, Integer> version1 = new HashMap<>();
      Map<String, Integer> version2 = new HashMap<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (System.nanoTime() < deadline) {
        version1.clear();
        version2.clear();
        for (var r : kafka.readCommitted(topics.embeddings().name(), 2 * IMAGES, Duration.ofSeconds(10),
            Duration.ofSeconds(2))) {
          String key = new String(r.key(), StandardCharsets.UTF_8);
          (EmbeddingSerde.decode(r.value()).modelVersion() == 2 ? version2 : version1).merge(key, 1, Integer::sum);
        }
        if (version2.size() == IMAGES) {
          break;
        }
      }
      assertEquals(IMAGES, version1.size(), "no image lost");
      assertEquals(IMAGES, version2.size(), "every retained image re-embedded by v2");
      assertTrue(version1.values().stream().allMatch(n -> n == 1), "v1 embedded each once");
      assertTrue(version2.values().stream().allMatch(n -> n == 1), "v2 re-embedded each exactly once: "
          + version2.entrySet().stream().filter(e -> e.getValue() > 1).limit(5).toList());
      System.err.printf("backfill kill campaign: %d kills during the re-embedding, at %s v2 embeddings; %d images, "
          + "0 lost, 0 re-embedded twice%n", KILLS, killedAtVersion2, IMAGES);
    } finally {
      embedder.destroy();
      if (!embedder.waitFor(30, TimeUnit.SECONDS)) {
        embedder.destroyForcibly();   // never left running: the next test's broker could get this one's port
      }
    }
  }
}
