package io.semistream.learning;

import io.semistream.records.Prototype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.records.DeadLetters;
import io.semistream.serving.LearnerRuntime;
import io.semistream.testing.LearnerTesting;
import io.semistream.testing.SyntheticStream;
import io.semistream.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnerDeadLetterIT {
  @TempDir
  Path dir;

  @Test
  void shouldDeadLetterMalformedLabelsAndEmbeddingsWhileProcessingTheValidOnesAroundThem() throws Exception {
    try (TestKafka kafka = TestKafka.start(dir)) {
      var topics = kafka.topics();
      SyntheticStream stream = new SyntheticStream(3, 5);
      stream.publish(kafka.clients(), topics, 0, 200, 0.2);
      List<String> badIds = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = kafka.clients().producer(new ByteArraySerializer(),
          new ByteArraySerializer(), Map.of())) {
        String[] badLabels = {"{broken", "{\"class\":\"\",\"annotator\":\"a\",\"time\":1}",
            "{\"class\":\"x\",\"annotator\":\"a\",\"time\":1,\"surprise\":true}",
            "{\"class\":\"" + "y".repeat(5000) + "\",\"annotator\":\"a\",\"time\":1}"};
        for (int i = 0; i < badLabels.length; i++) {
          badIds.add("bad-label-" + i);
          producer.send(new ProducerRecord<>(topics.labels().name(), key("bad-label-" + i),
              badLabels[i].getBytes(StandardCharsets.UTF_8)));
        }
        badIds.add("bad-embedding-0");
        producer.send(new ProducerRecord<>(topics.embeddings().name(), key("bad-embedding-0"), new byte[] {9, 9}));
        producer.flush();
      }
      stream.publish(kafka.clients(), topics, 200, 200, 0.2);
      try (LearnerRuntime learner = LearnerRuntime.start(
          LearnerTesting.config(kafka, dir.resolve("state"), 0, -1), topics)) {
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readCommitted(topics.deadLetter().name(), badIds.size(),
            Duration.ofSeconds(90), Duration.ofSeconds(1));
        Set<String> deadIds = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
          String id = new String(r.key(), StandardCharsets.UTF_8);
          deadIds.add(id);
          String reason = new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
          assertEquals(id.startsWith("bad-label") ? "malformed-label" : "malformed-embedding", reason, id);
          assertEquals("learner", new String(r.headers().lastHeader(DeadLetters.STAGE).value(),
              StandardCharsets.UTF_8));
          assertTrue(r.headers().lastHeader(DeadLetters.SOURCE_OFFSET) != null);
        }
        assertEquals(Set.copyOf(badIds), deadIds);
        assertEquals(badIds.size(), dead.size());
        Map<String, Prototype> prototypes = LearnerTesting.awaitPrototypes(kafka, stream.labelledMeans(),
            Duration.ofSeconds(60));
        assertTrue(LearnerTesting.matches(prototypes, stream.labelledMeans()),
            "every valid label before and after the bad records counts");
      }
    }
  }

  private static byte[] key(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }
}
