package io.semistream.learning;

import io.semistream.config.LearnerSettings;
import io.semistream.config.SemistreamConfig;
import io.semistream.ingest.EmbeddingRecord;
import io.semistream.ingest.EmbeddingSerde;
import io.semistream.ingest.JsonSerde;
import io.semistream.ingest.LabelRecord;
import io.semistream.topics.TopicRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The learner topology in a TopologyTestDriver, with typed inputs and outputs. */
final class LearnerHarness implements AutoCloseable {
  static final String MODEL = "test-model";
  final TopologyTestDriver driver;
  final TestInputTopic<String, byte[]> embeddings;
  final TestInputTopic<String, byte[]> labels;
  final TestOutputTopic<String, Prediction> predictions;
  final TestOutputTopic<String, Prototype> prototypes;
  final TestOutputTopic<String, PrototypeDelta> deltas;
  final TestOutputTopic<String, Anomaly> anomalies;
  final TestOutputTopic<String, byte[]> deadLetters;
  private final JsonSerde<LabelRecord> labelSerde = new JsonSerde<>(LabelRecord.class);
  long time = 1_000_000L;

  /** Test defaults: 4-d embeddings, re-read prototypes for every record, small anomaly window. */
  static LearnerSettings settings(Path stateDir) {
    LearnerSettings d = SemistreamConfig.defaults().learner();
    return new LearnerSettings("learner-test", stateDir, 1, "euclidean", 0.5, 0.2, 0.6, 0.2, 1.0, 1, 1_000,
        0.0, 3_600_000L, 600_000L, 4, 4096, 0.9, 50, 20, 0.0, 0, -1, 50, "127.0.0.1");
  }

  LearnerHarness(LearnerSettings settings) {
    TopicRegistry topics = TopicRegistry.load();
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
    p.put("processing.exception.handler.global.enabled", "true");
    driver = new TopologyTestDriver(LearnerTopology.build(settings, topics), p, Instant.ofEpochMilli(0));
    embeddings = driver.createInputTopic(topics.embeddings().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    labels = driver.createInputTopic(topics.labels().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    predictions = driver.createOutputTopic(topics.predictions().name(), Serdes.String().deserializer(),
        topics.predictions().valueSerde().deserializer());
    prototypes = driver.createOutputTopic(topics.prototypes().name(), Serdes.String().deserializer(),
        topics.prototypes().valueSerde().deserializer());
    deltas = driver.createOutputTopic(topics.prototypeDeltas().name(), Serdes.String().deserializer(),
        topics.prototypeDeltas().valueSerde().deserializer());
    anomalies = driver.createOutputTopic(topics.anomalies().name(), Serdes.String().deserializer(),
        topics.anomalies().valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetter().name(), Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
  }

  void embed(String id, float... vector) {
    embedWithError(id, 0.1f, vector);
  }

  void embedWithError(String id, float reconstructionError, float... vector) {
    time += 10;
    embeddings.pipeInput(id, EmbeddingSerde.encode(
        new EmbeddingRecord(vector, reconstructionError, MODEL, 1, time)), time);
  }

  void label(String id, String className) {
    time += 10;
    labels.pipeInput(id, labelSerde.encode(new LabelRecord(className, "tester", time)), time);
  }

  void rawLabel(String id, String json) {
    time += 10;
    labels.pipeInput(id, json == null ? null : json.getBytes(StandardCharsets.UTF_8), time);
  }

  void rawEmbedding(String id, byte[] bytes) {
    time += 10;
    embeddings.pipeInput(id, bytes, time);
  }

  /** The latest prototype per class as the compacted topic would keep it (tombstones remove). */
  Map<String, Prototype> latestPrototypes(Map<String, Prototype> into) {
    for (var kv : prototypes.readKeyValuesToList()) {
      if (kv.value == null) {
        into.remove(kv.key);
      } else {
        into.put(kv.key, kv.value);
      }
    }
    return into;
  }

  Map<String, Prototype> latestPrototypes() {
    return latestPrototypes(new LinkedHashMap<>());
  }

  List<Prediction> predictionsFor(String id) {
    return predictions.readRecordsToList().stream().filter(r -> r.key().equals(id)).map(TestRecord::value).toList();
  }

  @Override
  public void close() {
    driver.close();
  }
}
