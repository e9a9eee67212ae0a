package io.semistream.zeroshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.LearnerSettings;
import io.semistream.config.SemistreamConfig;
import io.semistream.records.ClassSemantics;
import io.semistream.records.DeadLetters;
import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import io.semistream.records.SynthesizedPrototype;
import io.semistream.topics.TopicRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZeroShotTopologyTest {
  private static final double[] FEET = {1, 0, 0};
  private static final double[] BODY = {0, 1, 0};
  private static final double[] LEGS = {0, 0, 1};
  private static final double[] FEET_AND_LEGS = {1, 0, 1};

  private final TopicRegistry topics = TopicRegistry.load();
  private final JsonSerde<ClassSemantics> semanticsSerde = new JsonSerde<>(ClassSemantics.class);
  private final JsonSerde<Prototype> prototypeSerde = new JsonSerde<>(Prototype.class);
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> semantics;
  private TestInputTopic<String, byte[]> prototypes;
  private TestOutputTopic<String, SynthesizedPrototype> synthesized;
  private TestOutputTopic<String, byte[]> deadLetters;

  private TopologyTestDriver start(Path dir) {
    LearnerSettings settings = SemistreamConfig.fromMap(Map.of("learner.state.dir", dir.toString(),
        "learner.embedding.dimension", "2", "learner.zeroshot.ridge.lambda", "0.5")).learner();
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.zeroShotApplicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    driver = new TopologyTestDriver(ZeroShotTopology.build(settings, topics, ZeroShotObserver.NONE), p,
        Instant.ofEpochMilli(0));
    semantics = driver.createInputTopic(topics.classSemantics().name(), Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer());
    prototypes = driver.createInputTopic(topics.prototypes().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    synthesized = driver.createOutputTopic(topics.zeroShotPrototypes().name(), Serdes.String().deserializer(),
        topics.zeroShotPrototypes().valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetter().name(), Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
    return driver;
  }

  private void semantic(String className, double... attributes) {
    semantics.pipeInput(bytes(className), semanticsSerde.encode(new ClassSemantics(className, attributes, null, 1)));
  }

  private void prototype(String className, int labels, int modelVersion, double... labelledMean) {
    prototypes.pipeInput(className, prototypeSerde.encode(new Prototype(className, labelledMean, labels, 0.5, 1,
        1, "m", modelVersion, labels, 0, labels == 0 ? null : labelledMean)));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String header(TestRecord<String, byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void shouldSynthesizeUnseenClassesAndWithdrawThemWhenLabelsArrive(@TempDir Path dir) {
    try (TopologyTestDriver ignored = start(dir)) {
      semantic("Sneaker", FEET);
      semantic("Shirt", BODY);
      semantic("Trouser", LEGS);
      semantic("Boot", FEET_AND_LEGS);
      prototype("Sneaker", 3, 1, 4, 0);
      assertTrue(synthesized.isEmpty(), "one seen class cannot anchor a map");

      prototype("Shirt", 2, 1, 0, 4);
      List<TestRecord<String, SynthesizedPrototype>> out = synthesized.readRecordsToList();
      assertEquals(List.of("Boot", "Trouser"), out.stream().map(TestRecord::key).toList());
      double[][] s = {FEET, BODY};
      double[][] p = {{4, 0}, {0, 4}};
      RidgeMap map = RidgeMap.fit(s, p, 0.5);
      SynthesizedPrototype boot = out.get(0).value();
      assertArrayEquals(map.apply(FEET_AND_LEGS), boot.vectorView(), 0);
      assertEquals(List.of("Shirt", "Sneaker"), boot.seenClasses());
      assertEquals(1, boot.modelVersion());
      assertEquals(0.5, boot.spread());
      assertArrayEquals(map.apply(LEGS), out.get(1).value().vectorView(), 0);

      // A pseudo-label update (same true-label mean) changes nothing; a new labelled mean refits the map.
      prototypes.pipeInput("Sneaker", prototypeSerde.encode(new Prototype("Sneaker", new double[] {4.2, 0}, 3.4,
          0.5, 2, 2, "m", 1, 3, 0.4, new double[] {4, 0})));
      assertTrue(synthesized.isEmpty());

      prototype("Trouser", 1, 1, 0, -4);
      out = synthesized.readRecordsToList();
      assertEquals("Trouser", out.get(0).key(), "withdrawals come first");
      assertNull(out.get(0).value(), "Trouser has labels now: its real prototype takes over");
      assertEquals("Boot", out.get(1).key());
      assertEquals(List.of("Shirt", "Sneaker", "Trouser"), out.get(1).value().seenClasses());
      assertEquals(2, out.size());

      semantics.pipeInput(bytes("Boot"), (byte[]) null);
      TestRecord<String, SynthesizedPrototype> gone = synthesized.readRecord();
      assertEquals("Boot", gone.key());
      assertNull(gone.value(), "no semantic vector, no zero-shot class");
      assertTrue(synthesized.isEmpty());
      assertTrue(deadLetters.isEmpty());
    }
  }

  @Test
  void shouldAnchorOnTheEncoderVersionMostSeenClassesShare(@TempDir Path dir) {
    try (TopologyTestDriver ignored = start(dir)) {
      semantic("A", FEET);
      semantic("B", BODY);
      semantic("C", LEGS);
      semantic("U", FEET_AND_LEGS);
      prototype("A", 1, 1, 1, 0);
      prototype("B", 1, 1, 0, 1);
      assertEquals(List.of("C", "U"), synthesized.readKeyValuesToList().stream().map(kv -> kv.key).toList());
      prototype("C", 1, 2, 0, -1);
      var withdrawn = synthesized.readKeyValue();
      assertEquals("C", withdrawn.key);
      assertNull(withdrawn.value);
      assertTrue(synthesized.isEmpty(), "two classes still on version 1, one on version 2: version 1 anchors");
      prototype("A", 1, 2, 2, 0);
      SynthesizedPrototype u = synthesized.readValue();
      assertEquals(2, u.modelVersion(), "a tie goes to the newer encoder");
      assertEquals(List.of("A", "C"), u.seenClasses());
      assertTrue(synthesized.isEmpty());
    }
  }

  @Test
  void shouldDeadLetterBadSemanticVectorsAndSkipBadPrototypes(@TempDir Path dir) {
    try (TopologyTestDriver ignored = start(dir)) {
      semantic("A", FEET);
      semantic("B", BODY);
      semantics.pipeInput(bytes("C"), bytes("this is not json"));
      semantics.pipeInput(bytes("D"), semanticsSerde.encode(new ClassSemantics("D", new double[] {1, 1}, null, 1)));
      semantics.pipeInput(bytes("E"), semanticsSerde.encode(new ClassSemantics("F", LEGS, null, 1)));
      semantics.pipeInput(bytes("G"), bytes("{\"class\":\"G\",\"attributes\":[1,\"x\",0],\"time\":1}"));
      semantics.pipeInput(null, semanticsSerde.encode(new ClassSemantics("H", LEGS, null, 1)));
      semantics.pipeInput(new byte[] {(byte) 0xC3, 0x28}, semanticsSerde.encode(new ClassSemantics("I", LEGS, null,
          1)));
      List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
      assertEquals(List.of("malformed-semantics", "malformed-semantics", "malformed-semantics",
          "malformed-semantics", "missing-key", "invalid-key"),
          dead.stream().map(r -> header(r, DeadLetters.REASON)).toList());
      assertTrue(header(dead.get(1), DeadLetters.ERROR).contains("2 attributes; the table's vectors have 3"),
          header(dead.get(1), DeadLetters.ERROR));
      assertEquals(topics.classSemantics().name(), header(dead.get(0), DeadLetters.SOURCE_TOPIC),
          "the dead letter names the topic the user wrote, not the internal one");
      assertTrue(deadLetters.isEmpty());

      prototypes.pipeInput("A", bytes("junk"));
      prototypes.pipeInput("A", prototypeSerde.encode(new Prototype("A", new double[] {1, 2, 3}, 1, 0, 1, 1, "m", 1,
          1, 0, new double[] {1, 2, 3})));
      prototypes.pipeInput("B", prototypeSerde.encode(new Prototype("A", new double[] {1, 2}, 1, 0, 1, 1, "m", 1,
          1, 0, new double[] {1, 2})));
      prototype("A", 1, 1, 1, 0);
      assertTrue(synthesized.isEmpty(), "only one usable prototype");
      assertTrue(deadLetters.isEmpty(), "the learner's own topic: skipped and counted, as the learner does");
      semantic("U", LEGS);
      prototype("B", 1, 1, 0, 1);
      assertEquals("U", synthesized.readKeyValue().key);
      assertTrue(synthesized.isEmpty());
    }
  }

  /**
   * Any bytes on the service's own internal topics (the one-partition repartition topics any client can write to):
   * a semantic vector without a class is dead-lettered, a prototype without one skipped; nothing stops the task.
   */
  @Test
  void shouldSurviveRecordsWithoutAKeyOrWithJunkWrittenStraightToItsInternalTopics(@TempDir Path dir) {
    try (TopologyTestDriver ignored = start(dir)) {
      String app = SemistreamConfig.fromMap(Map.of()).learner().zeroShotApplicationId();
      TestInputTopic<String, byte[]> semanticsInternal = driver.createInputTopic(
          app + "-" + ZeroShotTopology.SEMANTICS + "-repartition", Serdes.String().serializer(),
          Serdes.ByteArray().serializer());
      TestInputTopic<String, byte[]> prototypesInternal = driver.createInputTopic(
          app + "-" + ZeroShotTopology.PROTOTYPES + "-repartition", Serdes.String().serializer(),
          Serdes.ByteArray().serializer());
      semanticsInternal.pipeInput(null, semanticsSerde.encode(new ClassSemantics("H", LEGS, null, 1)));
      semanticsInternal.pipeInput("J", bytes("{broken"));
      semanticsInternal.pipeInput(null, (byte[]) null);
      prototypesInternal.pipeInput(null, bytes("junk"));
      prototypesInternal.pipeInput(null, (byte[]) null);
      prototypesInternal.pipeInput("A", bytes("junk"));

      List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
      assertEquals(List.of("missing-key", "malformed-semantics", "missing-key"),
          dead.stream().map(r -> header(r, DeadLetters.REASON)).toList());
      assertEquals(app + "-" + ZeroShotTopology.SEMANTICS + "-repartition",
          header(dead.get(0), DeadLetters.SOURCE_TOPIC), "written there directly: that topic is the origin");
      // Still working: two seen classes and an unseen one give a synthesized prototype.
      semantic("A", FEET);
      semantic("B", BODY);
      semantic("U", LEGS);
      prototype("A", 1, 1, 1, 0);
      prototype("B", 1, 1, 0, 1);
      assertEquals("U", synthesized.readKeyValue().key);
      assertTrue(synthesized.isEmpty());
      assertTrue(deadLetters.isEmpty());
    }
  }
}
