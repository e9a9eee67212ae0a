package io.semistream.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.ModelVersion;
import io.semistream.records.RecordSchema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The published JSON schemas: each loads, each carries examples that it accepts, inputs are checked by them. */
class TopicSchemasTest {
  private final TopicRegistry topics = TopicRegistry.load();

  @Test
  void shouldAcceptEveryExampleOfEverySchema() {
    int schemas = 0;
    for (TopicSpec spec : topics.catalogue().all().values()) {
      if (!spec.valueFormat().equals("json")) {
        continue;
      }
      schemas++;
      RecordSchema schema = RecordSchema.of(spec.valueSchema());
      JsonNode examples = schema.document().get("examples");
      assertTrue(examples != null && examples.isArray() && examples.size() > 0, spec.valueSchema()
          + " has no examples");
      for (JsonNode example : examples) {
        assertEquals(List.of(), schema.problems(example), spec.valueSchema() + " rejects its example " + example);
      }
    }
    assertEquals(11, schemas, "labels, predictions, prototypes, deltas, exemplars, anomalies, class semantics, "
        + "synthesized prototypes, class candidates, label requests, model versions");
  }

  @Test
  void shouldRejectLabelsThatBreakTheSchemaWithTheSchemasWords() {
    JsonSerde<LabelRecord> labels = topics.json(TopicId.LABELS, LabelRecord.class);
    assertEquals(new LabelRecord("Bag", "kcat", 1), labels.decode(bytes("{\"class\":\"Bag\",\"annotator\":\"kcat\",\"time\":1}")));
    for (String bad : List.of("{\"class\":5,\"annotator\":\"kcat\",\"time\":1}",
        "{\"class\":\"Bag\",\"annotator\":\"kcat\",\"time\":-1}",
        "{\"class\":\"\",\"annotator\":\"kcat\",\"time\":1}",
        "{\"class\":\"Bag\",\"annotator\":\"kcat\",\"time\":1,\"extra\":true}",
        "{\"class\":\"Bag\",\"time\":1}", "[]", "null", "")) {
      SerializationException e = assertThrows(SerializationException.class, () -> labels.decode(bytes(bad)), bad);
      assertFalse(e.getMessage().isBlank(), bad);
    }
    SerializationException numeric = assertThrows(SerializationException.class,
        () -> labels.decode(bytes("{\"class\":5,\"annotator\":\"kcat\",\"time\":1}")));
    assertTrue(numeric.getMessage().startsWith("LabelRecord does not match schemas/label.schema.json: "),
        numeric.getMessage());
    assertTrue(numeric.getMessage().contains("/class: integer found, string expected"), numeric.getMessage());
  }

  @Test
  void shouldWriteModelVersionsThatMatchTheirSchema() throws Exception {
    JsonSerde<ModelVersion> serde = topics.json(TopicId.MODEL_VERSIONS, ModelVersion.class);
    RecordSchema schema = RecordSchema.of(topics.catalogue().spec(TopicId.MODEL_VERSIONS).valueSchema());
    for (JsonNode example : schema.document().get("examples")) {
      ModelVersion read = serde.decode(JsonSerde.MAPPER.writeValueAsBytes(example));
      assertEquals(List.of(), schema.problems(JsonSerde.MAPPER.readTree(serde.encode(read))));
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
