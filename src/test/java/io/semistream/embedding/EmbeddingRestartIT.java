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

/** The embedding service runs as a separate JVM here, so that "crash" means SIGKILL, not a polite close. */
class EmbeddingRestartIT {
  private static final int IMAGES = 6_000;
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
        "-D", "kafka.session.timeout.ms=6000", "-D", "kafka.heartbeat.interval.ms=1000"));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile()).start();
  }

  @Test
  void shouldLoseNoImageAndCommitNoneTwiceWhenKilledMidStream() throws Exception {
    TestModels.tinyStore();
    var topics = kafka.topics();
    Replayer.publish(kafka.clients(), topics, new DatasetLoader(ProjectPaths.dataDir()).load(
        DatasetName.FASHION_MNIST), ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(IMAGES)
        .withLabelFraction(0), System.err);

    Process first = startEmbedder("first");
    long committedAtKill;
    try (KafkaConsumer<byte[], byte[]> counter = kafka.clients().consumer(null, new ByteArrayDeserializer(),
        new ByteArrayDeserializer(), Map.of())) {
      String topic = topics.embeddings().name();
      counter.seekToBeginning(io.semistream.kafka.KafkaClients.assignAll(counter, topic));
      long seen = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (seen < 1_000 && System.nanoTime() < deadline && first.isAlive()) {
        seen += counter.poll(Duration.ofMillis(50)).count();
      }
      assertTrue(first.isAlive(), "the first embedder died on its own; see " + dir.resolve("first.log"));
      first.destroyForcibly();   // SIGKILL: no flush, no commit, no close
      first.waitFor(30, TimeUnit.SECONDS);
      committedAtKill = seen;
    }
    assertTrue(committedAtKill >= 1_000 && committedAtKill < IMAGES,
        "killed mid-stream, after " + committedAtKill + " committed embeddings");

    Process second = startEmbedder("second");
    try {
      List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted(topics.embeddings().name(), IMAGES,
          Duration.ofSeconds(180), Duration.ofSeconds(3));
      Set<String> ids = out.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
          .collect(Collectors.toSet());
      assertEquals(IMAGES, ids.size(), "no image lost");
      assertEquals(IMAGES, out.size(), "no image embedded twice in the committed output");
    } finally {
      second.destroy();
      second.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
