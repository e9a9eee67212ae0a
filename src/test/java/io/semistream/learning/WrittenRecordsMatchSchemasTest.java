package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.semistream.records.JsonSerde;
import io.semistream.records.RecordSchema;
import io.semistream.topics.TopicId;
import io.semistream.topics.TopicRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every JSON record the learner writes, read as raw bytes off its output topics, conforms to the schema the
 * catalogue publishes for that topic: labelled, pseudo-labelled, uncertain and anomalous predictions,
 * corrections after a late label and after relabelling, prototypes, deltas and anomalies.
 */
class WrittenRecordsMatchSchemasTest {
  private static final List<TopicId> WRITTEN = List.of(TopicId.PREDICTIONS, TopicId.PROTOTYPES,
      TopicId.PROTOTYPE_DELTAS, TopicId.ANOMALIES);
  @TempDir
  Path dir;

  @Test
  void shouldWriteOnlyRecordsThatMatchTheCatalogueSchemas() throws IOException {
    TopicRegistry topics = TopicRegistry.load();
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir))) {
      List<TestOutputTopic<String, byte[]>> raw = new ArrayList<>();
      for (TopicId id : WRITTEN) {
        raw.add(h.driver.createOutputTopic(topics.name(id), Serdes.String().deserializer(),
            Serdes.ByteArray().deserializer()));
      }
      h.seedTwoClasses();
      for (int i = 0; i < 25; i++) {
        h.embed("n" + i, (i % 2) * 10, 1 + (i % 3) * 0.1f, 0, 0);
      }
      h.embed("x", 5, 0, 0, 0);
      h.label("x", "b");
      h.embed("outlier", 100, -100, 50, 50);
      h.driver.advanceWallClockTime(Duration.ofSeconds(5));

      for (int t = 0; t < WRITTEN.size(); t++) {
        RecordSchema schema = RecordSchema.of(topics.catalogue().spec(WRITTEN.get(t)).valueSchema());
        List<byte[]> values = raw.get(t).readValuesToList();
        assertTrue(!values.isEmpty(), "the scenario writes " + WRITTEN.get(t));
        for (byte[] value : values) {
          if (value == null) {
            continue;   // a tombstone on a compacted topic has no value to check
          }
          JsonNode node = JsonSerde.MAPPER.readTree(value);
          assertEquals(List.of(), schema.problems(node), WRITTEN.get(t) + ": " + node);
        }
      }
    }
  }
}
