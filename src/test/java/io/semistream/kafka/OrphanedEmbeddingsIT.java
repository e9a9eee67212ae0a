package io.semistream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real broker: after an abort, the embeddings it took that no later commit replaced are written again, and
 * only those; a transaction still open past the last stable offset is left to its producer.
 */
class OrphanedEmbeddingsIT {
  @TempDir
  Path dir;

  private static ProducerRecord<byte[], byte[]> embedding(String topic, String image, int version) {
    return new ProducerRecord<>(topic, 0, image.getBytes(StandardCharsets.UTF_8),
        EmbeddingSerde.encode(new EmbeddingRecord(new float[] {1, 2, 3}, 0.1f, "m", version, 5)));
  }

  @Test
  void shouldRestoreAbortedEmbeddingsWithoutACommittedSuccessorAndLeaveOpenTransactionsAlone() throws Exception {
    try (TestKafka kafka = TestKafka.start(dir)) {
      String topic = kafka.topics().embeddings().name();
      KafkaClients clients = kafka.clients();
      try (KafkaProducer<byte[], byte[]> worker = clients.transactionalProducer("orphans-it-1",
               new ByteArraySerializer(), new ByteArraySerializer());
           KafkaProducer<byte[], byte[]> other = clients.transactionalProducer("orphans-it-2",
               new ByteArraySerializer(), new ByteArraySerializer())) {
        worker.initTransactions();
        other.initTransactions();
        worker.beginTransaction();
        worker.send(embedding(topic, "a", 1));
        worker.commitTransaction();
        worker.beginTransaction();   // stands for the hanging transaction the watchdog aborted
        worker.send(embedding(topic, "b", 1));
        worker.send(embedding(topic, "c", 1));
        worker.flush();              // written, then aborted (unsent records an abort would simply discard)
        worker.abortTransaction();
        worker.beginTransaction();   // c was redone and committed; b was not
        worker.send(embedding(topic, "c", 1));
        worker.commitTransaction();
        other.beginTransaction();    // live, still open while the restore runs
        other.send(embedding(topic, "d", 1));
        other.flush();

        OrphanedEmbeddings orphans = new OrphanedEmbeddings(clients, topic);
        assertEquals(1, orphans.restore(new TopicPartition(topic, 0), 0));
        assertEquals(1, orphans.restored());
        other.commitTransaction();
      }
      List<String> images = kafka.readCommitted(topic, 4, Duration.ofSeconds(30), Duration.ofSeconds(2)).stream()
          .map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
      assertEquals(List.of("a", "c", "d", "b"), images, "b once, after what was committed; d not twice");
    }
  }
}
