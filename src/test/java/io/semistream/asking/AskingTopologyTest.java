package io.semistream.asking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.AskingSettings;
import io.semistream.records.DeadLetters;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.LabelRequest;
import io.semistream.records.Prototype;
import io.semistream.records.RecordSchema;
import io.semistream.topics.TopicRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AskingTopologyTest {
  private static final int DIM = 4;
  private final TopicRegistry topics = TopicRegistry.load();
  private final JsonSerde<Prototype> prototypeSerde = new JsonSerde<>(Prototype.class);
  private final JsonSerde<LabelRecord> labelSerde = new JsonSerde<>(LabelRecord.class);
  private final List<String> skipped = new ArrayList<>();
  private final List<Long> answeredAfter = new ArrayList<>();
  private int expired;
  private final AskingObserver observer = new AskingObserver() {
    @Override
    public void skipped(String input) {
      skipped.add(input);
    }

    @Override
    public void answered(long millis) {
      answeredAfter.add(millis);
    }

    @Override
    public void expired() {
      expired++;
    }
  };
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> embeddings;
  private TestInputTopic<String, byte[]> prototypes;
  private TestInputTopic<String, byte[]> labels;
  private TestOutputTopic<String, LabelRequest> requests;
  private TestOutputTopic<String, byte[]> deadLetters;
  @TempDir
  Path dir;

  /** Uncertainty first; see {@link #start(AskingSettings.Strategy, double, long, int, double)}. */
  private void start(double perMinute, long total, int maxOpen, double diversity) {
    start(AskingSettings.Strategy.UNCERTAIN, perMinute, total, maxOpen, diversity);
  }

  /** Rounds every second; {@code perMinute} requests a minute, {@code total} in all, {@code maxOpen} open. */
  private void start(AskingSettings.Strategy strategy, double perMinute, long total, int maxOpen, double diversity) {
    AskingSettings settings = new AskingSettings(true, strategy, perMinute, total, maxOpen, 1_000, 100, 1, diversity,
        1.0, 60_000);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "test-asking");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    driver = new TopologyTestDriver(AskingTopology.build(settings, DIM, topics, observer), p, Instant.ofEpochMilli(0));
    embeddings = driver.createInputTopic(topics.embeddings().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    prototypes = driver.createInputTopic(topics.prototypes().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    labels = driver.createInputTopic(topics.labels().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    requests = driver.createOutputTopic(topics.labelRequests().name(), Serdes.String().deserializer(),
        topics.labelRequests().valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetter().name(), Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private void image(String id, double... v) {
    image(1, id, v);
  }

  private void image(int modelVersion, String id, double... v) {
    float[] f = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      f[i] = (float) v[i];
    }
    embeddings.pipeInput(id, EmbeddingSerde.encode(new EmbeddingRecord(f, 0.1f, "m", modelVersion, 1_000)));
  }

  private void labelledClass(String name, long labels, double... v) {
    labelledClass(1, name, labels, v);
  }

  private void labelledClass(int modelVersion, String name, long labels, double... v) {
    prototypes.pipeInput(name, prototypeSerde.encode(new Prototype(name, v, labels, 0.05, 1, 1, "m", modelVersion,
        labels, 0, v)));
  }

  private void label(String id, String className) {
    labels.pipeInput(id, labelSerde.encode(new LabelRecord(className, "test", 5)));
  }

  private void seconds(int s) {
    driver.advanceWallClockTime(Duration.ofSeconds(s));
  }

  private List<LabelRequest> published() {
    return requests.readValuesToList();
  }

  private List<String> publishedIds() {
    return published().stream().map(LabelRequest::imageId).toList();
  }

  @Test
  void shouldAskForImagesFarApartBeforeTwoClassesHaveLabels() {
    start(60, 0, 10, 0.5);
    image("a1", 1, 0, 0, 0);
    image("a2", 0.99, 0.01, 0, 0);
    image("a3", 0.98, 0.02, 0, 0);
    image("b1", 0, 1, 0, 0);
    image("c1", 0, 0, 1, 0);
    seconds(1);   // 60 a minute: one per round
    seconds(1);
    seconds(1);
    List<LabelRequest> out = published();
    assertEquals(3, out.size());
    Set<String> ids = new HashSet<>();
    out.forEach(r -> ids.add(r.imageId()));
    // The first is the oldest (nothing asked yet), then whatever lies farthest from it: never two of the a's.
    assertEquals("a1", out.get(0).imageId());
    assertEquals(Set.of("a1", "b1", "c1"), ids);
    out.forEach(r -> assertEquals(LabelRequest.Reason.COLD_START, r.reason()));
    assertTrue(requests.isEmpty());
  }

  @Test
  void shouldAskTheImageBetweenTwoClassesAndPreferTheClassWithFewerLabels() {
    start(60, 0, 10, 0.0);
    labelledClass("Shirt", 50, 1, 0, 0, 0);
    labelledClass("Coat", 50, 0, 1, 0, 0);
    labelledClass("Bag", 2, 0, 0, 1, 0);
    image("sure-shirt", 1, 0.05, 0, 0);
    image("between-shirt-coat", 1, 0.9, 0, 0);
    image("between-bag-coat", 0.0, 0.8, 1, 0);
    seconds(1);
    LabelRequest first = published().get(0);
    // Margins 0.05 (bag/coat) and 0.07 (shirt/coat); with balance both prefer the scarce Bag.
    assertEquals("between-bag-coat", first.imageId());
    assertEquals(LabelRequest.Reason.UNCERTAIN, first.reason());
    assertEquals("Bag", first.predictedClass());
    assertEquals("Coat", first.runnerUp());
    assertTrue(first.detail().contains("between Bag and Coat"), first.detail());
    seconds(1);
    assertEquals("between-shirt-coat", published().get(0).imageId());
    seconds(1);
    assertEquals("sure-shirt", published().get(0).imageId());
    seconds(1);
    assertTrue(requests.isEmpty(), "the pool is used up");
  }

  @Test
  void shouldAskForTheTypicalImageOfADenseRegionBeforeOutliersAndPreferTheClassWithFewerLabels() {
    start(AskingSettings.Strategy.TYPICAL, 60, 0, 10, 0.5);
    labelledClass("Shirt", 50, 1, 0, 0, 0);
    labelledClass("Coat", 50, 0, 1, 0, 0);
    labelledClass("Bag", 5, 0, 0, 1, 0);
    image("odd-shirt", 1, -0.3, 0, 0.8);
    for (int i = 0; i < 6; i++) {
      image("shirt-" + i, 1, 0.02 * i, 0.01 * i, 0);   // a tight group of shirts
    }
    image("bag-a", 0, 0, 1, 0.3);
    image("bag-b", 0, 0.005, 1, 0.3);   // within the diversity distance of bag-a: one of them is enough
    seconds(1);
    LabelRequest first = published().get(0);
    assertEquals(LabelRequest.Reason.TYPICAL, first.reason());
    assertEquals("Bag", first.predictedClass(), "the scarce class first: " + first.detail());
    seconds(1);
    LabelRequest second = published().get(0);
    assertTrue(second.imageId().startsWith("shirt-"), "then the dense group, not the outlier: " + second);
    assertTrue(second.detail().startsWith("typical of a dense region"), second.detail());
    seconds(1);
    assertNotEquals("odd-shirt", published().get(0).imageId(), "a bag or a far enough shirt before the outlier");
  }

  @Test
  void shouldChooseAmongTheNewestEncodersImagesOnly() {
    start(600, 0, 10, 0.0);
    labelledClass("Shirt", 50, 1, 0, 0, 0);
    labelledClass("Coat", 50, 0, 1, 0, 0);
    image(1, "old-between", 1, 1, 0, 0);
    image(2, "new-a", 1, 0.1, 0, 0);
    image(2, "new-b", 0, 0, 1, 0);
    seconds(1);
    // No class has labels in v2's space yet: a cold start among v2's images; v1's image, however uncertain, waits.
    List<LabelRequest> out = published();
    assertEquals(Set.of("new-a", "new-b"), new HashSet<>(out.stream().map(LabelRequest::imageId).toList()));
    out.forEach(r -> assertEquals(2, r.modelVersion()));
    out.forEach(r -> assertEquals(LabelRequest.Reason.COLD_START, r.reason()));
  }

  @Test
  void shouldNotAskForANearDuplicateOfAnEarlierRequest() {
    start(600, 0, 10, 0.5);
    labelledClass("Shirt", 50, 1, 0, 0, 0);
    labelledClass("Coat", 50, 0, 1, 0, 0);
    image("x", 1, 0.95, 0, 0);
    image("x-again", 1, 0.949, 0, 0);   // nearly the same image, a little less uncertain
    image("y", 1, 0.7, 0.3, 0);
    seconds(1);   // ten a round: only two are far enough apart
    List<LabelRequest> out = published();
    assertEquals(List.of("x", "y"), out.stream().map(LabelRequest::imageId).toList());
    assertTrue(requests.isEmpty());
  }

  @Test
  void shouldKeepToTheBudgetPerMinuteInAllAndOpenAtOnce() {
    start(30, 3, 2, 0.0);
    labelledClass("Shirt", 50, 1, 0, 0, 0);
    labelledClass("Coat", 50, 0, 1, 0, 0);
    for (int i = 0; i < 10; i++) {
      image("i" + i, 1, 0.5 + i * 0.01, i * 0.1, 0);
    }
    seconds(1);   // 30 a minute: one now, the next after two seconds
    assertEquals(1, published().size());
    seconds(1);
    assertTrue(requests.isEmpty());
    seconds(1);
    List<LabelRequest> second = published();
    assertEquals(1, second.size());
    seconds(2);
    assertTrue(requests.isEmpty(), "two open: the most at once");
    label(second.get(0).imageId(), "Coat");
    LabelRequest answered = published().get(0);
    assertEquals("Coat", answered.answeredAs());
    assertEquals(List.of(2_000L), answeredAfter, "asked at 3 s, answered at 5 s (wall clock)");
    seconds(2);
    assertEquals(1, published().size(), "one could open again");
    seconds(10);
    assertTrue(requests.isEmpty(), "three in all");
  }

  @Test
  void shouldWithdrawARequestNobodyAnsweredInTime() {
    start(60, 0, 10, 0.0);
    image("a", 1, 0, 0, 0);
    seconds(1);
    assertEquals("a", published().get(0).imageId());
    seconds(61);
    TestRecord<String, LabelRequest> tombstone = requests.readRecord();
    assertEquals("a", tombstone.key());
    assertNull(tombstone.value());
    assertEquals(1, expired);
    assertTrue(requests.isEmpty());
    label("a", "Shirt");   // too late: nothing to answer
    assertTrue(requests.isEmpty());
  }

  @Test
  void shouldNotAskAgainForAnImageOrItsNearDuplicatesAfterItsRequestWentUnanswered() {
    start(600, 0, 10, 0.5);
    labelledClass("Shirt", 50, 1, 0, 0, 0);
    labelledClass("Coat", 50, 0, 1, 0, 0);
    image("boot", 1, 0.95, 0, 0);
    seconds(1);
    assertEquals(List.of("boot"), publishedIds());
    seconds(61);
    assertNull(requests.readRecord().value(), "withdrawn: nobody named it");
    image("boot", 1, 0.95, 0, 0);             // the same image again (a replay, a re-embedding)
    image("boot-twin", 1, 0.949, 0, 0);       // a near-duplicate: no better a question
    image("shirt-ish", 1, 0.2, 0, 0);
    seconds(1);
    assertEquals(List.of("shirt-ish"), publishedIds());
    assertTrue(requests.isEmpty());
  }

  @Test
  void shouldKeepNewRequestsAwayFromEarlierOnesInTheNewEncodersSpaceOnceTheirImagesAreReembedded() {
    start(600, 0, 10, 0.5);
    labelledClass("Shirt", 50, 1, 0, 0, 0);
    labelledClass("Coat", 50, 0, 1, 0, 0);
    image(1, "x", 1, 0.95, 0, 0);
    seconds(1);
    assertEquals(List.of("x"), publishedIds());
    label("x", "Coat");
    assertEquals("Coat", published().get(0).answeredAs());
    // A promotion: the classes and the backlog (x among it) arrive in v2's space, where x lies elsewhere.
    labelledClass(2, "Shirt", 50, 0, 0, 1, 0);
    labelledClass(2, "Coat", 51, 0, 0, 0, 1);
    image(2, "x", 0, 0, 1, 0.95);
    image(2, "x-twin", 0, 0, 1, 0.949);   // as uncertain as x was: a near-duplicate of an answered request
    image(2, "y", 0, 0, 1, 0.5);
    seconds(1);
    assertEquals(List.of("y"), publishedIds());
    assertTrue(requests.isEmpty());
  }

  @Test
  void shouldNeverAskForAnImageThatHasALabel() {
    start(600, 0, 10, 0.0);
    label("a", "Shirt");
    image("a", 1, 0, 0, 0);
    image("b", 0, 1, 0, 0);
    label("b", "Coat");
    seconds(1);
    assertTrue(requests.isEmpty());
  }

  @Test
  void shouldWriteRequestsThatMatchTheirSchema() throws Exception {
    start(60, 0, 10, 0.0);
    labelledClass("Shirt", 50, 1, 0, 0, 0);
    labelledClass("Coat", 50, 0, 1, 0, 0);
    image("x", 1, 0.9, 0, 0);
    seconds(1);
    RecordSchema schema = RecordSchema.of("schemas/label-request.schema.json");
    LabelRequest open = published().get(0);
    assertEquals(List.of(), schema.problems(JsonSerde.MAPPER.valueToTree(open)));
    label("x", "Shirt");
    LabelRequest answered = published().get(0);
    assertEquals(List.of(), schema.problems(JsonSerde.MAPPER.valueToTree(answered)));
  }

  @Test
  void shouldDeadLetterJunkWrittenStraightToItsInternalTopicAndSkipJunkThatOthersCheck() {
    start(60, 0, 10, 0.0);
    embeddings.pipeInput("junk-on-source", "not an embedding".getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("embeddings"), skipped);
    TestInputTopic<String, byte[]> internal = driver.createInputTopic(
        "test-asking-" + AskingTopology.EMBEDDINGS + "-repartition", Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    internal.pipeInput("junk-inside", "not an embedding".getBytes(StandardCharsets.UTF_8));
    TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertEquals("junk-inside", dead.key());
    assertEquals("malformed-embedding",
        new String(dead.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8));
    assertTrue(deadLetters.isEmpty());
    seconds(1);
    assertTrue(requests.isEmpty());
  }

  @Test
  void shouldResumeItsBudgetAndRequestsAfterARestart() {
    start(60, 2, 10, 0.0);
    image("a", 1, 0, 0, 0);
    image("b", 0, 1, 0, 0);
    image("c", 0, 0, 1, 0);
    seconds(1);
    assertEquals(1, published().size());
    driver.close();
    driver = null;
    start(60, 2, 10, 0.0);   // same state directory: the stores come back (the pool does not: it refills)
    image("d", 0, 0, 0, 1);
    seconds(1);
    List<LabelRequest> after = published();
    assertEquals(1, after.size());
    assertNotEquals("a", after.get(0).imageId());
    seconds(5);
    assertTrue(requests.isEmpty(), "the total of two is spent");
  }
}
