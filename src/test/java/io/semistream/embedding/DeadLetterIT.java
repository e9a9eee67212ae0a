package io.semistream.embedding;

import io.semistream.model.EmbeddingModel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import io.semistream.config.EmbeddingSettings;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.records.DeadLetters;
import io.semistream.replay.PngEncoder;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.TestKafka;
import io.semistream.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeadLetterIT {
  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  TestKafka kafka;

  @BeforeEach
  void broker() {
    kafka = KAFKA.kafka();
  }

  private record Bad(String id, byte[] key, byte[] value, String reason) {
  }

  @Test
  void shouldDeadLetterBadImagesWithReasonAndOriginWhileEmbeddingTheValidOnesAroundThem() throws Exception {
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    byte[] valid = PngEncoder.grey(fashion.imageBytes(0), 28, 28);
    byte[] noise = new byte[300 * 300];
    new Random(1).nextBytes(noise);
    List<Bad> bad = List.of(
        new Bad("corrupt", key("corrupt"), "GIF89a-not-really".getBytes(StandardCharsets.UTF_8),
            "undecodable-image"),
        new Bad("truncated", key("truncated"), Arrays.copyOf(valid, valid.length / 2), "undecodable-image"),
        new Bad("empty", key("empty"), new byte[0], "empty-image"),
        new Bad("null-value", key("null-value"), null, "empty-image"),
        new Bad("oversized", key("oversized"), PngEncoder.grey(noise, 300, 300), "oversized-image"),
        new Bad("too-wide", key("too-wide"), PngEncoder.grey(new byte[5000], 5000, 1), "image-too-large"),
        new Bad("no-key", null, valid, "missing-key"));

    Map<String, RecordMetadata> badOrigin = new HashMap<>();
    List<String> validIds = new ArrayList<>();
    String images = kafka.topics().images().name();
    try (KafkaProducer<byte[], byte[]> producer = kafka.clients().producer(new ByteArraySerializer(),
        new ByteArraySerializer(), Map.of())) {
      int next = 0;
      for (int round = 0; round < 3; round++) {
        for (Bad b : bad) {
          // Valid records before and after every bad one, on every partition.
          for (int k = 0; k < 10; k++) {
            String id = "valid-" + next;
            producer.send(new ProducerRecord<>(images, key(id), PngEncoder.grey(fashion.imageBytes(next), 28, 28)));
            validIds.add(id);
            next++;
          }
          String id = b.id() + "-" + round;
          RecordMetadata m = producer.send(new ProducerRecord<>(images, round % 4, b.key() == null ? null : key(id),
              b.value())).get();
          badOrigin.put(id, m);
        }
      }
      producer.flush();
    }
    // Small limits so that the "oversized" (about 90 KB) and "too-wide" records trip them.
    EmbeddingSettings settings = new EmbeddingSettings(16, 20, 1, 0, io.semistream.config.DeviceChoice.CPU,
        32 * 1024, 4096, 4L << 20, "dlq-test", "dlq-test", true, true);
    try (EmbeddingModel model = EmbeddingModel.load(TestModels.tinyVersionDir(), Device.cpu());
         EmbeddingService service = new EmbeddingService(settings, kafka.clients(), kafka.topics(), model).start()) {
      List<ConsumerRecord<byte[], byte[]>> embedded = kafka.readCommitted(kafka.topics().embeddings().name(),
          validIds.size(), Duration.ofSeconds(120), Duration.ofSeconds(1));
      assertEquals(Set.copyOf(validIds), embedded.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
          .collect(Collectors.toSet()));
      assertEquals(validIds.size(), embedded.size());

      List<ConsumerRecord<byte[], byte[]>> dead = kafka.readCommitted(kafka.topics().deadLetter().name(),
          bad.size() * 3, Duration.ofSeconds(60), Duration.ofSeconds(1));
      assertEquals(bad.size() * 3, dead.size());
      int noKey = 0;
      for (ConsumerRecord<byte[], byte[]> d : dead) {
        String reason = header(d, DeadLetters.REASON);
        if (d.key() == null) {
          noKey++;
          assertEquals("missing-key", reason);
          continue;
        }
        String id = new String(d.key(), StandardCharsets.UTF_8);
        Bad expected = bad.stream().filter(b -> id.startsWith(b.id() + "-")).findFirst().orElseThrow();
        assertEquals(expected.reason(), reason, id);
        RecordMetadata origin = badOrigin.get(id);
        assertEquals(images, header(d, DeadLetters.SOURCE_TOPIC));
        assertEquals(Integer.toString(origin.partition()), header(d, DeadLetters.SOURCE_PARTITION), id);
        assertEquals(Long.toString(origin.offset()), header(d, DeadLetters.SOURCE_OFFSET), id);
        assertEquals("embedding-service", header(d, DeadLetters.STAGE));
        if (expected.value() != null) {
          assertArrayEquals(expected.value(), d.value(), "the original bytes travel unchanged: " + id);
        }
      }
      assertEquals(3, noKey);
      assertEquals(6, service.stats().deadLettered(io.semistream.records.RejectReason.UNDECODABLE_IMAGE));
      assertEquals(validIds.size(), service.stats().embedded());
      assertEquals(true, service.isRunning(), "bad input must not stop the service");
    }
  }

  private static byte[] key(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
