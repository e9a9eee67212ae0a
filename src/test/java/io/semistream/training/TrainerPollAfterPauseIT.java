package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.semistream.kafka.KafkaClients;
import io.semistream.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real broker: the trainer's consumer, polled the way the trainer polls between training slices, still reads
 * every image and label published while it was not polled for longer than its request timeout (a trainer waiting
 * for the pipeline, or judging a candidate). With a zero poll timeout it read nothing more after such a pause,
 * and an eval's trainer saw 67 of 630 labels.
 */
class TrainerPollAfterPauseIT {
  private static final int REQUEST_TIMEOUT_MS = 3_000;

  @TempDir
  Path dir;

  @Test
  void shouldReadEveryRecordPublishedDuringAPauseLongerThanTheRequestTimeout() throws Exception {
    try (TestKafka kafka = TestKafka.start(dir);
         KafkaProducer<String, byte[]> producer = kafka.clients().producer(new StringSerializer(),
             new ByteArraySerializer(), Map.of());
         KafkaConsumer<byte[], byte[]> consumer = kafka.clients().consumer(null, new ByteArrayDeserializer(),
             new ByteArrayDeserializer(), Map.of("max.poll.records", 2000, "request.timeout.ms", REQUEST_TIMEOUT_MS))) {
      String images = kafka.topics().images().name();
      String labels = kafka.topics().labels().name();
      publish(producer, images, labels, 0, 600);
      consumer.seekToBeginning(KafkaClients.assignAll(consumer, images, labels));
      int[] read = new int[2];
      readFor(consumer, TrainerService.POLL_BEFORE_TRAINING, images, read, 3_000);
      assertEquals(600, read[0], "before the pause");

      Thread.sleep(REQUEST_TIMEOUT_MS + 2_000);                  // not polled: a fetch in flight times out
      publish(producer, images, labels, 600, 5_000);
      readFor(consumer, TrainerService.POLL_WHILE_TRAINING, images, read, 10_000);
      assertEquals(5_000, read[0], "images read after the pause");
      assertEquals(500, read[1], "labels read after the pause");
    }
  }

  private static void publish(KafkaProducer<String, byte[]> producer, String images, String labels, int from, int to) {
    for (int i = from; i < to; i++) {
      producer.send(new ProducerRecord<>(images, "image-" + i, new byte[900]));
      if (i % 10 == 0) {
        producer.send(new ProducerRecord<>(labels, "image-" + i, "{}".getBytes(StandardCharsets.UTF_8)));
      }
    }
    producer.flush();
  }

  /** Polls like the trainer (between slices: a slice is half a second of steps) for {@code ms}. */
  private static void readFor(KafkaConsumer<byte[], byte[]> consumer, java.time.Duration timeout, String images,
      int[] read, long ms)
      throws InterruptedException {
    long end = System.nanoTime() + ms * 1_000_000;
    while (System.nanoTime() < end) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
        read[r.topic().equals(images) ? 0 : 1]++;
      }
      Thread.sleep(500);
    }
  }
}
