package io.semistream.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.DiscoverySettings;
import io.semistream.records.Anomaly;
import io.semistream.records.ClassCandidate;
import io.semistream.records.DeadLetters;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.Prototype;
import io.semistream.topics.TopicRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryTopologyTest {
  private static final int DIM = 8;
  private final TopicRegistry topics = TopicRegistry.load();
  private final JsonSerde<Anomaly> anomalySerde = new JsonSerde<>(Anomaly.class);
  private final JsonSerde<Prototype> prototypeSerde = new JsonSerde<>(Prototype.class);
  private final JsonSerde<LabelRecord> labelSerde = new JsonSerde<>(LabelRecord.class);
  private final Random random = new Random(7);
  /** Inputs of the records skipped, in order, and anomalies clustered. */
  private final List<String> skipped = new java.util.ArrayList<>();
  private int clustered;
  private final DiscoveryObserver observer = new DiscoveryObserver() {
    @Override
    public void skipped(String input) {
      skipped.add(input);
    }

    @Override
    public void clustered(int microClusters) {
      clustered++;
    }
  };
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> anomalies;
  private TestInputTopic<String, byte[]> prototypes;
  private TestInputTopic<String, byte[]> labels;
  private TestOutputTopic<String, ClassCandidate> candidates;
  private TestOutputTopic<String, byte[]> deadLetters;
  @TempDir
  Path dir;

  private void start(int minSize) {
    DiscoverySettings settings = new DiscoverySettings(true, 1.0, 1.5, minSize, 1.0, 300, 5000);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "test-discovery");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    driver = new TopologyTestDriver(DiscoveryTopology.build(settings, DIM, topics, observer), p,
        Instant.ofEpochMilli(0));
    anomalies = driver.createInputTopic(topics.anomalies().name(), Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer());
    prototypes = driver.createInputTopic(topics.prototypes().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    labels = driver.createInputTopic(topics.labels().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    candidates = driver.createOutputTopic(topics.classCandidates().name(), Serdes.String().deserializer(),
        topics.classCandidates().valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetter().name(), Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  /** A labelled class whose spread is 0.2 of its prototype's length: the distance scale. */
  private void labelledClass(String name, int modelVersion) {
    double[] v = new double[DIM];
    v[DIM - 1] = 2;
    prototypes.pipeInput(name, prototypeSerde.encode(new Prototype(name, v, 10, 0.4, 1, 1, "m", modelVersion, 10, 0,
        v)));
  }

  /** An anomaly near axis {@code axis} (noise 0.03: tight, within one spread of its neighbours). */
  private void anomaly(String id, int axis, int modelVersion) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) ((i == axis ? 3 : 0) + 0.09 * random.nextGaussian());
    }
    anomalies.pipeInput(bytes(id), anomalySerde.encode(new Anomaly(5, 2, 0.1, 1.5, "Bag", 1_000 + id.hashCode()
        % 100, v, "m", modelVersion)));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String header(TestRecord<String, byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void shouldPublishACandidateOnceAGroupOfAnomaliesIsDenseEnoughAndNameItByALabelOnAMember() {
    start(30);
    labelledClass("Bag", 1);
    for (int i = 0; i < 39; i++) {
      anomaly("boot-" + i, 0, 1);
    }
    assertEquals(39, clustered);
    assertTrue(candidates.isEmpty(), "30 anomalies weigh a little less than 30 once faded; reclustered each tenth");
    anomaly("boot-39", 0, 1);
    TestRecord<String, ClassCandidate> emerged = candidates.readRecord();
    assertEquals("candidate-1", emerged.key());
    ClassCandidate c = emerged.value();
    assertEquals(40, c.size());
    assertEquals(1, c.modelVersion());
    assertTrue(c.centroid()[0] > 0.99, "centred on the group's axis");
    assertTrue(c.spread() < 0.2, "as tight as the group: " + c.spread());
    assertTrue(c.exemplars().stream().allMatch(e -> e.startsWith("boot-")));
    assertTrue(candidates.isEmpty());

    // A label on an image outside the cluster names nothing. One on a recent member names the candidate even when
    // it is no exemplar (any more): a person labels what they were shown, and exemplars move on meanwhile.
    labels.pipeInput("unrelated", labelSerde.encode(new LabelRecord("Sandal", "ann", 1)));
    assertTrue(candidates.isEmpty());
    String member = java.util.stream.IntStream.range(30, 40).mapToObj(i -> "boot-" + i)
        .filter(id -> !c.exemplars().contains(id)).findFirst().orElseThrow();
    labels.pipeInput(member, labelSerde.encode(new LabelRecord("Ankle boot", "ann", 1)));
    ClassCandidate adopted = candidates.readValue();
    assertEquals("candidate-1", adopted.id());
    assertEquals("Ankle boot", adopted.adoptedAs());
    assertEquals(c.size(), adopted.size());
    assertTrue(candidates.isEmpty());
    assertTrue(deadLetters.isEmpty());
  }

  @Test
  void shouldStartAfreshWithANewEncoderVersionWithdrawingTheOldCandidate() {
    start(20);
    labelledClass("Bag", 1);
    for (int i = 0; i < 30; i++) {
      anomaly("a-" + i, 0, 1);
    }
    assertEquals("candidate-1", candidates.readKeyValue().key);
    labelledClass("Bag", 2);
    anomaly("b-0", 1, 2);
    TestRecord<String, ClassCandidate> withdrawn = candidates.readRecord();
    assertEquals("candidate-1", withdrawn.key());
    assertNull(withdrawn.value());
    assertTrue(candidates.isEmpty());
    // Late anomalies of the replaced version are skipped, not clustered.
    for (int i = 0; i < 30; i++) {
      anomaly("late-" + i, 0, 1);
    }
    assertTrue(candidates.isEmpty());
    assertEquals(30, skipped.stream().filter("anomalies"::equals).count());
    for (int i = 1; i < 30; i++) {
      anomaly("b-" + i, 1, 2);
    }
    ClassCandidate second = candidates.readValue();
    assertEquals("candidate-2", second.id(), "ids are never reused");
    assertEquals(2, second.modelVersion());
    assertTrue(candidates.isEmpty());
    assertTrue(deadLetters.isEmpty());
  }

  @Test
  void shouldDeadLetterAnomaliesItCannotClusterAndSkipJunkOnTheLearnersTopics() {
    start(20);
    labelledClass("Bag", 1);
    anomalies.pipeInput(bytes("junk"), bytes("not json"));
    anomalies.pipeInput(bytes("short"), anomalySerde.encode(new Anomaly(5, 2, 0.1, 1.5, "Bag", 1,
        new float[] {1, 2}, "m", 1)));
    float[] nan = new float[DIM];
    nan[3] = Float.NaN;
    anomalies.pipeInput(bytes("nan"), anomalySerde.encode(new Anomaly(5, 2, 0.1, 1.5, "Bag", 1, nan, "m", 1)));
    anomalies.pipeInput(null, anomalySerde.encode(new Anomaly(5, 2, 0.1, 1.5, "Bag", 1)));
    prototypes.pipeInput("Bag", bytes("{junk"));
    labels.pipeInput("x", bytes("[]"));
    // An alert without its point (written before anomalies carried one) is valid, and simply not clustered.
    anomalies.pipeInput(bytes("old"), anomalySerde.encode(new Anomaly(5, 2, 0.1, 1.5, "Bag", 1)));
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertEquals(List.of("junk", "short", "nan"), dead.subList(0, 3).stream().map(TestRecord::key).toList());
    dead.subList(0, 3).forEach(r -> assertEquals("malformed-anomaly", header(r, DeadLetters.REASON)));
    assertEquals("missing-key", header(dead.get(3), DeadLetters.REASON));
    assertEquals(4, dead.size());
    assertEquals(topics.anomalies().name(), header(dead.get(0), DeadLetters.SOURCE_TOPIC),
        "the dead letter names the topic the record was written to, not the internal one");
    assertEquals(List.of("prototypes", "labels", "anomalies"), skipped);
    // The service goes on: a group of valid anomalies still makes a candidate.
    for (int i = 0; i < 30; i++) {
      anomaly("a-" + i, 0, 1);
    }
    assertEquals("candidate-1", candidates.readKeyValue().key);
    assertTrue(candidates.isEmpty());
    assertTrue(deadLetters.isEmpty());
  }
}
