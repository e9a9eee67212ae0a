package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.Replayer;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding service runs as a separate JVM here, so that "crash" means SIGKILL, not a polite close: killed
 * {@value #KILLS} times at random points of one stream, it must lose no image and commit none twice.
 */
class EmbeddingRestartIT {
  private static final int IMAGES = 6_000;
  private static final int KILLS = 10;
  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  @TempDir
  Path dir;
  TestKafka kafka;

  @BeforeEach
  void broker() {
    kafka = KAFKA.kafka();
  }

  private Process startEmbedder(String name) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-Dai.djl.offline=true",
        "-cp", System.getProperty("java.class.path"), "io.semistream.cli.SemistreamCli", "embed",
        "--bootstrap-servers", kafka.bootstrapServers(), "--model", TestModels.tinyVersionDir().toString(),
        "-D", "metrics.port=0", "-D", "embedding.batch.size=16", "-D", "embedding.max.wait.ms=20",
        // The killed member holds its partitions until its session times out (45 s by default).
        "-D", "kafka.session.timeout.ms=2000", "-D", "kafka.heartbeat.interval.ms=500"));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile()).start();
  }

  @Test
  void shouldLoseNoImageAndCommitNoneTwiceWhenKilledTenTimesMidStream() throws Exception {
    TestModels.tinyStore();
    var topics = kafka.topics();
    Replayer.publish(kafka.clients(), topics, new DatasetLoader(ProjectPaths.dataDir()).load(
        DatasetName.FASHION_MNIST), ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(IMAGES)
        .withLabelFraction(0), System.err);

    java.util.Random random = new java.util.Random(7);
    List<Long> killedAt = new ArrayList<>();
    Process embedder = startEmbedder("run-0");
    try (KafkaConsumer<byte[], byte[]> counter = kafka.clients().consumer(null, new ByteArrayDeserializer(),
        new ByteArrayDeserializer(), Map.of("isolation.level", "read_committed"))) {
      String topic = topics.embeddings().name();
      counter.seekToBeginning(io.semistream.kafka.KafkaClients.assignAll(counter, topic));
      long seen = 0;
      for (int kill = 1; kill <= KILLS; kill++) {
        // Kill k after 450 k + [0, 225) committed embeddings: all ten land before 4,725 of 6,000.
        long target = (long) kill * IMAGES / (KILLS + 3) + random.nextInt(IMAGES / (KILLS + 3) / 2);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (seen < target && System.nanoTime() < deadline && embedder.isAlive()) {
          seen += counter.poll(Duration.ofMillis(20)).count();
        }
        assertTrue(embedder.isAlive(), "the embedder died on its own; see " + dir.resolve("run-" + (kill - 1)
            + ".log"));
        assertTrue(seen >= target, "before kill " + kill + ": " + seen + " committed embeddings, " + target
            + " expected");
        embedder.destroyForcibly();   // SIGKILL: no flush, no commit, no close
        embedder.waitFor(30, TimeUnit.SECONDS);
        killedAt.add(seen);
        embedder = startEmbedder("run-" + kill);
      }
    }
    assertTrue(killedAt.get(KILLS - 1) < IMAGES, "every kill landed mid-stream: " + killedAt);
    try {
      List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted(topics.embeddings().name(), IMAGES,
          Duration.ofSeconds(180), Duration.ofSeconds(3));
      Set<String> ids = out.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
          .collect(Collectors.toSet());
      assertEquals(IMAGES, ids.size(), "no image lost");
      assertEquals(IMAGES, out.size(), "no image embedded twice in the committed output");
      System.err.printf("embedding kill campaign: %d kills after %s committed embeddings; %d images, 0 lost, "
          + "0 duplicated%n", KILLS, killedAt, IMAGES);
    } finally {
      embedder.destroy();
      embedder.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
