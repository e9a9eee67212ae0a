package io.semistream.learning;

import io.semistream.kafka.Placement;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.serving.LearnerRuntime;
import io.semistream.testing.KafkaBroker;
import io.semistream.testing.LearnerTesting;
import io.semistream.testing.SyntheticStream;
import io.semistream.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A learner that re-keyed every record ({@code learner.rekey.all=true}, the topology before the direct path)
 * restarted in place with the direct path: the sub-topologies and task ids change, so the new tasks restore
 * their stores from the changelogs, while the consumer group's offsets and the repartition topics carry over.
 * Nothing may be lost or repeated: prototypes equal the exact batch means, every image predicted, each
 * (image, version) committed once. Some records of the second part sit on a partition other than their key's
 * home (as from a client with another partitioner), so both paths of the new topology carry data.
 */
class LearnerUpgradeIT {
  private static final int PART = 1_000;
  private static final int ELSEWHERE = 60;

  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  @TempDir
  Path dir;

  @Test
  void shouldKeepResultsExactWhenARekeyAllLearnerRestartsWithTheDirectPath() throws Exception {
    TestKafka kafka = KAFKA.kafka();
    SyntheticStream stream = new SyntheticStream(5, 13);
    try (LearnerRuntime before = start(kafka, true)) {
      stream.publish(kafka.clients(), kafka.topics(), 0, PART, 0.1);
      LearnerTesting.awaitPredicted(kafka, ids(stream));
    }
    try (LearnerRuntime after = start(kafka, false)) {
      stream.publish(kafka.clients(), kafka.topics(), PART, PART, 0.1);
      publishElsewhere(kafka, stream);
      List<ConsumerRecord<byte[], byte[]>> committed = LearnerTesting.awaitPredicted(kafka, ids(stream));

      LearnerTesting.assertPrototypesAreTheLabelledMeans(kafka, stream, "the upgrade");
      LearnerTesting.assertVersionsOncePerImage(committed, ids(stream));
    }
  }

  private LearnerRuntime start(TestKafka kafka, boolean rekeyAll) throws Exception {
    // The same state directory: an upgrade in place, the old tasks' directories left behind.
    var base = kafka.config();
    return LearnerRuntime.start(base.withLearner(LearnerTesting.learner(dir.resolve("state"), Map.of(
        "learner.pseudo.weight", "0", "learner.http.port", "-1", "learner.rekey.all", Boolean.toString(rekeyAll)))),
        kafka.topics());
  }

  private static Set<String> ids(SyntheticStream stream) {
    return new HashSet<>(stream.truth.keySet());
  }

  /**
   * Copies of the first images under new ids, each embedding and label written to the partition after its key's
   * home: the direct path must send them through the re-keying hop.
   */
  private static void publishElsewhere(TestKafka kafka, SyntheticStream stream) throws Exception {
    // The learner's by-image partition count: "home" is where its re-keying would send a key.
    int partitions = LearnerTesting.learner(Path.of("unused"), Map.of()).partitions();
    JsonSerde<LabelRecord> labelSerde = new JsonSerde<>(LabelRecord.class);
    List<Future<?>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = kafka.clients().producer(new ByteArraySerializer(),
        new ByteArraySerializer(), Map.of())) {
      for (int i = 0; i < ELSEWHERE; i++) {
        String source = "syn-" + i;
        String id = "elsewhere-" + i;
        int c = stream.truth.get(source);
        float[] v = stream.vectors.get(source);
        stream.truth.put(id, c);
        stream.vectors.put(id, v);
        stream.labels.put(id, c);
        int partition = (Placement.homeOf(id, partitions) + 1) % partitions;
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        sent.add(producer.send(new ProducerRecord<>(kafka.topics().embeddings().name(), partition, key,
            EmbeddingSerde.encode(new EmbeddingRecord(v, 0.2f, "syn", 1, 5_000L + i)))));
        sent.add(producer.send(new ProducerRecord<>(kafka.topics().labels().name(), partition, key,
            labelSerde.encode(new LabelRecord(SyntheticStream.className(c), "test", 5_000L + i)))));
      }
      producer.flush();
    }
    for (Future<?> f : sent) {
      f.get();
    }
  }
}
