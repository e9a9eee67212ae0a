package io.semistream.embedding;

import io.semistream.model.EmbeddingModel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.replay.ReplayOptions;
import io.semistream.replay.Replayer;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingPipelineIT {
  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  @TempDir
  Path dir;
  TestKafka kafka;

  @BeforeEach
  void broker() {
    kafka = KAFKA.kafka();
  }

  @Test
  void shouldEmbedEveryReplayedImageExactlyOnceWithMatchingIds() throws Exception {
    Path groundTruth = dir.resolve("gt.csv");
    ReplayOptions options = ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(2_000)
        .withLabelFraction(0.01).withGroundTruth(groundTruth);
    var topics = kafka.topics();
    try (EmbeddingModel model = EmbeddingModel.load(TestModels.tinyVersionDir(), Device.cpu());
         EmbeddingService service = new EmbeddingService(kafka.config().embedding(), kafka.clients(), topics,
             model).start()) {
      Replayer.Result result = Replayer.publish(kafka.clients(), topics,
          new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST), options, System.err);
      assertEquals(2_000, result.images());
      assertEquals(20, result.labels(), "1% stratified over 10 classes");

      List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted(topics.embeddings().name(), 2_000,
          Duration.ofSeconds(120), Duration.ofSeconds(2));
      assertEquals(2_000, out.size(), "exactly one embedding per image");
      Set<String> ids = out.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
          .collect(Collectors.toSet());
      Set<String> expected = new HashSet<>();
      Files.readAllLines(groundTruth).stream().skip(1).forEach(l -> expected.add(l.substring(0, l.indexOf(','))));
      assertEquals(expected, ids);
      for (ConsumerRecord<byte[], byte[]> r : out) {
        EmbeddingRecord e = EmbeddingSerde.decode(r.value());
        assertEquals(64, e.dimension());
        for (float f : e.vector()) {
          assertTrue(Float.isFinite(f));
        }
        assertTrue(e.reconstructionError() > 0 && Float.isFinite(e.reconstructionError()));
        assertEquals("conv-ae-64", e.modelId());
        assertEquals(1, e.modelVersion());
        assertTrue(e.eventTime() > 0);
      }
      assertEquals(2_000, service.stats().embedded());
      assertEquals(0, service.stats().deadLettered());
      List<ConsumerRecord<byte[], byte[]>> labels = kafka.readCommitted(topics.labels().name(), 20,
          Duration.ofSeconds(30), Duration.ZERO);
      assertEquals(20, labels.size());
    }
  }
}
