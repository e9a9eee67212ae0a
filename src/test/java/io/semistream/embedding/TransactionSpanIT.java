package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.semistream.config.DeviceChoice;
import io.semistream.config.EmbeddingSettings;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.kafka.KafkaClients;
import io.semistream.model.EmbeddingModel;
import io.semistream.replay.PngEncoder;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TransactionSpanIT {
  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  private static final int BATCH = 64;
  private static final int BACKLOG = 10 * BATCH;
  /** Far beyond the test's wait: a transaction that stays open until its deadline fails the test. */
  private static final long TRANSACTION_MAX_MS = 120_000;
  TestKafka kafka;

  @BeforeEach
  void broker() {
    kafka = KAFKA.kafka();
  }

  @Test
  void shouldSpanOneTransactionOverABacklogAndCommitItsLastFullBatchWithoutWaiting() throws Exception {
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    try (KafkaProducer<byte[], byte[]> producer = kafka.clients().producer(new ByteArraySerializer(),
        new ByteArraySerializer(), Map.of())) {
      for (int i = 0; i < BACKLOG; i++) {
        producer.send(new ProducerRecord<>(kafka.topics().images().name(),
            ("span-" + i).getBytes(StandardCharsets.UTF_8), PngEncoder.grey(fashion.imageBytes(i), 28, 28)));
      }
    }
    // One worker (no rebalance to commit for it), exactly ten full batches waiting before it starts.
    EmbeddingSettings settings = new EmbeddingSettings(BATCH, 20, 1, 0, DeviceChoice.CPU, 1 << 20, 4096, 4L << 20,
        "span-test", "span-test", true, true, 512L * 512, 1, 32, TRANSACTION_MAX_MS, 1,
        EmbeddingSettings.IDLE_WAIT_OFF, 0.7, 0);
    try (EmbeddingModel model = EmbeddingModel.load(TestModels.tinyVersionDir(), Device.cpu());
         EmbeddingService service = new EmbeddingService(settings, kafka.clients(), kafka.topics(), model).start()) {
      String embeddings = kafka.topics().embeddings().name();
      List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted(embeddings, BACKLOG, Duration.ofSeconds(60),
          Duration.ZERO);
      // Before the change the last full batch kept the transaction open until its deadline (two minutes here).
      assertEquals(BACKLOG, out.size(), "every embedding visible long before the transaction's deadline");
      long transactionMarkers = endOffsets(embeddings) - BACKLOG;
      // One marker per partition a transaction wrote to: ten one-batch transactions over 4 partitions leave 40.
      assertTrue(transactionMarkers <= 8, "the backlog's batches shared one or two transactions, not one each: "
          + transactionMarkers + " commit markers");
    }
  }

  private long endOffsets(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.clients().consumer(null, new ByteArrayDeserializer(),
        new ByteArrayDeserializer(), Map.of())) {
      return consumer.endOffsets(KafkaClients.assignAll(consumer, topic)).values().stream()
          .mapToLong(Long::longValue).sum();
    }
  }
}
