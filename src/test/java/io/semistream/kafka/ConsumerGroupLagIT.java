package io.semistream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.semistream.testing.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real broker: the lag the online trainer yields to is what the groups have yet to commit past. */
class ConsumerGroupLagIT {
  @TempDir
  Path dir;

  @Test
  void shouldSumWhatEachGroupHasYetToCommitPastOverItsPartitions() throws Exception {
    try (TestKafka kafka = TestKafka.start(dir);
         Admin admin = kafka.clients().admin()) {
      admin.createTopics(List.of(new NewTopic("lag-a", 2, (short) 1), new NewTopic("lag-b", 1, (short) 1)))
          .all().get();
      try (KafkaProducer<String, String> producer = kafka.clients().producer(new StringSerializer(),
          new StringSerializer(), Map.of())) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>("lag-a", i % 2, "k" + i, "v"));   // 5 on each partition
          producer.send(new ProducerRecord<>("lag-b", 0, "k" + i, "v"));
        }
        producer.flush();
      }
      TopicPartition a0 = new TopicPartition("lag-a", 0);
      TopicPartition a1 = new TopicPartition("lag-a", 1);
      TopicPartition b0 = new TopicPartition("lag-b", 0);
      admin.alterConsumerGroupOffsets("embedder", Map.of(a0, new OffsetAndMetadata(1), a1,
          new OffsetAndMetadata(5))).all().get();
      admin.alterConsumerGroupOffsets("learner", Map.of(b0, new OffsetAndMetadata(7))).all().get();

      try (ConsumerGroupLag lag = new ConsumerGroupLag(kafka.clients(), List.of("embedder", "learner"),
          Duration.ofSeconds(10))) {
        assertEquals(4 + 0 + 3, lag.records(), "lag-a/0 4 behind, lag-a/1 caught up, lag-b/0 3 behind");
        admin.alterConsumerGroupOffsets("learner", Map.of(b0, new OffsetAndMetadata(10))).all().get();
        assertEquals(4, lag.records());
      }
      try (ConsumerGroupLag lag = new ConsumerGroupLag(kafka.clients(), List.of("never-started"),
          Duration.ofSeconds(10))) {
        assertEquals(0, lag.records(), "a group without commits says nothing yet");
      }
    }
  }
}
