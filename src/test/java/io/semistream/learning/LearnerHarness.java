package io.semistream.learning;

import io.semistream.records.Anomaly;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.records.SynthesizedPrototype;
import io.semistream.records.PrototypeDelta;

import io.semistream.config.LearnerSettings;
import io.semistream.config.SemistreamConfig;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.Exemplar;
import io.semistream.records.JsonSerde;
import io.semistream.records.ClassCandidate;
import io.semistream.records.LabelRecord;
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
  final TestOutputTopic<String, Exemplar> exemplars;
  final TestInputTopic<String, byte[]> rawExemplars;
  final TestOutputTopic<String, Anomaly> anomalies;
  final TestOutputTopic<String, byte[]> deadLetters;
  /** Raw bytes onto topics that the learner writes itself but anyone may write to. */
  final TestInputTopic<String, byte[]> rawPrototypes;
  final TestInputTopic<String, byte[]> rawDeltas;
  final TestInputTopic<String, byte[]> rawZeroShot;
  final TestInputTopic<String, byte[]> rawCandidates;
  final TestInputTopic<byte[], byte[]> rawKeyedEmbeddings;
  private final JsonSerde<LabelRecord> labelSerde = new JsonSerde<>(LabelRecord.class);
  long time = 1_000_000L;

  /** Test defaults: 4-d embeddings, re-read prototypes for every record, small anomaly window. */
  static LearnerSettings settings(Path stateDir) {
    return settings(stateDir, Map.of());
  }

  /** {@link #settings(Path)} with some keys set otherwise. */
  static LearnerSettings settings(Path stateDir, Map<String, String> overrides) {
    Map<String, String> keys = new java.util.HashMap<>(Map.ofEntries(
        Map.entry("learner.application.id", "learner-test"), Map.entry("learner.state.dir", stateDir.toString()),
        Map.entry("learner.metric", "euclidean"), Map.entry("learner.temperature", "0.5"),
        Map.entry("learner.pseudo.weight", "0.2"), Map.entry("learner.pseudo.min.confidence", "0.6"),
        Map.entry("learner.pseudo.min.margin", "0.2"), Map.entry("learner.pseudo.min.labels", "1"),
        Map.entry("learner.relabel.interval.ms", "1000"), Map.entry("learner.relabel.min.drift", "0.0"),
        // A check walks all of its interval's images at once; steps between checks: ImageLearnerTopologyTest.
        Map.entry("learner.relabel.step.ms", "0"),
        Map.entry("learner.backlog.retention.ms", "3600000"), Map.entry("learner.label.wait.ms", "600000"),
        Map.entry("learner.embedding.dimension", "4"), Map.entry("learner.anomaly.quantile", "0.9"),
        Map.entry("learner.anomaly.window", "50"), Map.entry("learner.anomaly.warmup", "20"),
        Map.entry("learner.prototype.refresh.ms", "0"), Map.entry("learner.http.port", "-1"),
        // The prototypes' own rules are tested here; the labelled images' vote in ExemplarVoteTopologyTest.
        Map.entry("learner.exemplar.neighbours", "0")));
    keys.putAll(overrides);
    return SemistreamConfig.fromMap(keys).learner();
  }

  LearnerHarness(LearnerSettings settings) {
    this(settings, LearnerObserver.NONE);
  }

  /** The topology reporting to {@code observer}. */
  LearnerHarness(LearnerSettings settings, LearnerObserver observer) {
    TopicRegistry topics = TopicRegistry.load();
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
    p.put("processing.exception.handler.global.enabled", "true");
    driver = new TopologyTestDriver(LearnerTopology.build(settings, topics, observer), p, Instant.ofEpochMilli(0));
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
    exemplars = driver.createOutputTopic(topics.exemplars().name(), Serdes.String().deserializer(),
        topics.exemplars().valueSerde().deserializer());
    rawExemplars = driver.createInputTopic(topics.exemplars().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    anomalies = driver.createOutputTopic(topics.anomalies().name(), Serdes.String().deserializer(),
        topics.anomalies().valueSerde().deserializer());
    rawPrototypes = driver.createInputTopic(topics.prototypes().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    rawDeltas = driver.createInputTopic(topics.prototypeDeltas().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    rawZeroShot = driver.createInputTopic(topics.zeroShotPrototypes().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    rawCandidates = driver.createInputTopic(topics.classCandidates().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    rawKeyedEmbeddings = driver.createInputTopic(topics.embeddings().name(), Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer());
    deadLetters = driver.createOutputTopic(topics.deadLetter().name(), Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
  }

  void embed(String id, float... vector) {
    embedWithError(id, 0.1f, vector);
  }

  void embedWithError(String id, float reconstructionError, float... vector) {
    embedVersion(id, 1, reconstructionError, vector);
  }

  /** An embedding made by encoder version {@code modelVersion}. */
  void embedVersion(String id, int modelVersion, float reconstructionError, float... vector) {
    time += 10;
    embeddings.pipeInput(id, EmbeddingSerde.encode(
        new EmbeddingRecord(vector, reconstructionError, MODEL, modelVersion, time)), time);
  }

  /** An embedding of encoder {@code modelVersion} with its novelty view of version {@code noveltyVersion}. */
  void embedWithNovelty(String id, int modelVersion, int noveltyVersion, float[] novelty, float... vector) {
    time += 10;
    embeddings.pipeInput(id, EmbeddingSerde.encode(
        new EmbeddingRecord(vector, 0.1f, MODEL, modelVersion, time, noveltyVersion, novelty)), time);
  }

  /** An embedding whose image's event time ({@code eventTime}) is long before the record's timestamp. */
  void embedWithEventTime(String id, long eventTime, float... vector) {
    time += 10;
    embeddings.pipeInput(id, EmbeddingSerde.encode(new EmbeddingRecord(vector, 0.1f, MODEL, 1, eventTime)), time);
  }

  /** Two labelled classes of two images each: "a" around (0.5,0,0,0) and "b" around (10.5,0,0,0). */
  void seedTwoClasses() {
    embed("a1", 0, 0, 0, 0);
    label("a1", "a");
    embed("a2", 1, 0, 0, 0);
    label("a2", "a");
    embed("b1", 10, 0, 0, 0);
    label("b1", "b");
    embed("b2", 11, 0, 0, 0);
    label("b2", "b");
  }

  /** What the zero-shot service would publish for {@code className} (encoder version 1). */
  void synthesized(String className, double... vector) {
    time += 10;
    rawZeroShot.pipeInput(className, new JsonSerde<>(SynthesizedPrototype.class).encode(new SynthesizedPrototype(
        className, vector, 1.0, MODEL, 1, List.of("a", "b"), 1.0, time)), time);
  }

  /** What the discovery service would publish: candidate {@code id} (encoder version 1), named or not. */
  void candidate(String id, String adoptedAs, double... centroid) {
    time += 10;
    rawCandidates.pipeInput(id, new JsonSerde<>(ClassCandidate.class).encode(new ClassCandidate(id, centroid, 0.1,
        120, List.of("x"), 1, 2, MODEL, 1, adoptedAs, time)), time);
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
