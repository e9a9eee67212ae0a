package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import io.semistream.config.DeviceChoice;
import io.semistream.config.EmbeddingSettings;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.model.EmbeddingModel;
import io.semistream.replay.PngEncoder;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IdleBatchWaitIT {
  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  private static final int IMAGES = 3;
  /** Far beyond the test's wait: a partial batch that waits for it fails the test. */
  private static final long MAX_WAIT_MS = 180_000;

  @Test
  void shouldRunAPartialBatchAfterTheShortWaitWhileTheCpusAreIdle() throws Exception {
    TestKafka kafka = KAFKA.kafka();
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    // A load limit of 1 counts every measured load as idle (the limit's comparison is SemistreamConfigTest's): what
    // is tested here is that the worker's batches follow it. Three images never fill a batch of 64.
    EmbeddingSettings settings = new EmbeddingSettings(64, MAX_WAIT_MS, 1, 0, DeviceChoice.CPU, 1 << 20, 4096,
        4L << 20, "idle-wait-test", "idle-wait-test", true, true, 512L * 512, 1, 32, 400, 1, 5, 1.0, 0);
    try (EmbeddingModel model = EmbeddingModel.load(TestModels.tinyVersionDir(), Device.cpu());
         EmbeddingService service = new EmbeddingService(settings, kafka.clients(), kafka.topics(), model).start();
         KafkaProducer<byte[], byte[]> producer = kafka.clients().producer(new ByteArraySerializer(),
             new ByteArraySerializer(), Map.of())) {
      for (int i = 0; i < IMAGES; i++) {
        producer.send(new ProducerRecord<>(kafka.topics().images().name(),
            ("idle-" + i).getBytes(StandardCharsets.UTF_8), PngEncoder.grey(fashion.imageBytes(i), 28, 28)));
      }
      producer.flush();
      var out = kafka.readCommitted(kafka.topics().embeddings().name(), IMAGES, Duration.ofSeconds(60),
          Duration.ZERO);
      assertEquals(IMAGES, out.size(), "a partial batch waited for embedding.max.wait.ms (three minutes) although "
          + "the CPUs counted as idle");
    }
  }
}
