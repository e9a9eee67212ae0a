package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.CliProcess;
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
import io.semistream.data.Dataset;
import io.semistream.replay.PngEncoder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
  private static final int IMAGES = 5_000;
  // Six kills: each lands at a random point of a worker's batch and transaction cycle.
  private static final int KILLS = 6;
  private static final int CHUNK = 50;
  private static final int CHUNK_PAUSE_MS = 800;
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
    return CliProcess.start(dir.resolve(name + ".log"), "1g", "embed",
        "--bootstrap-servers", kafka.bootstrapServers(), "--model", TestModels.tinyVersionDir().toString(),
        "-D", "metrics.port=0", "-D", "embedding.batch.size=16", "-D", "embedding.max.wait.ms=20",
        // The killed member holds its partitions until its session times out (45 s by default).
        "-D", "kafka.session.timeout.ms=2000", "-D", "kafka.heartbeat.interval.ms=500");
  }

  @Test
  void shouldLoseNoImageAndCommitNoneTwiceWhenKilledRepeatedlyMidStream() throws Exception {
    TestModels.tinyStore();
    var topics = kafka.topics();
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    // The images arrive while the services come and go (paced), so that every replacement has new work: with the
    // whole stream published up front, the first process embedded most of it before the first kill and the later
    // kills found their targets met and killed replacements before they had started.
    AtomicInteger published = new AtomicInteger();
    AtomicReference<Throwable> publishFailure = new AtomicReference<>();
    AtomicBoolean paced = new AtomicBoolean(true);   // until the last kill; the rest of the stream at full speed
    Thread publisher = new Thread(() -> {
      try (KafkaProducer<String, byte[]> producer = kafka.clients().producer(new StringSerializer(),
          new ByteArraySerializer(), Map.of())) {
        for (int i = 0; i < IMAGES; i++) {
          producer.send(new ProducerRecord<>(topics.images().name(), "img-" + i,
              PngEncoder.grey(fashion.imageBytes(i), 28, 28))).get();
          published.incrementAndGet();
          if (i % CHUNK == CHUNK - 1 && paced.get()) {
            Thread.sleep(CHUNK_PAUSE_MS);
          }
        }
      } catch (Throwable e) {
        publishFailure.set(e);
      }
    }, "paced-publisher");

    java.util.Random random = new java.util.Random(7);
    List<Integer> killedAt = new ArrayList<>();
    Process embedder = startEmbedder("run-0");
    publisher.start();
    try (KafkaConsumer<byte[], byte[]> counter = kafka.clients().consumer(null, new ByteArrayDeserializer(),
        new ByteArrayDeserializer(), Map.of("isolation.level", "read_committed"))) {
      String topic = topics.embeddings().name();
      counter.seekToBeginning(io.semistream.kafka.KafkaClients.assignAll(counter, topic));
      long seen = 0;
      for (int kill = 1; kill <= KILLS; kill++) {
        // Kill k once the process running now has committed 50 + [0, 200) embeddings of its own.
        long target = seen + 50 + random.nextInt(200);
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
        killedAt.add(published.get());
        // Count everything the killed process committed, so that the next target is the next process' own work.
        seen += CliProcess.drain(counter);
        embedder = startEmbedder("run-" + kill);
      }
    }
    paced.set(false);
    publisher.join(TimeUnit.SECONDS.toMillis(120));
    assertEquals(null, publishFailure.get());
    assertEquals(IMAGES, published.get());
    try {
      List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted(topics.embeddings().name(), IMAGES,
          Duration.ofSeconds(180), Duration.ofSeconds(3));
      Set<String> ids = out.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
          .collect(Collectors.toSet());
      assertEquals(IMAGES, ids.size(), "no image lost");
      assertEquals(IMAGES, out.size(), "no image embedded twice in the committed output");
      System.err.printf("embedding kill campaign: %d kills, %s images published at each; %d images, 0 lost, "
          + "0 duplicated%n", KILLS, killedAt, IMAGES);
    } finally {
      embedder.destroy();
      embedder.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
