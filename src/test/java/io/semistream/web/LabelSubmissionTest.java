package io.semistream.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class LabelSubmissionTest {
  private final JsonSerde<LabelRecord> serde = new JsonSerde<>(LabelRecord.class);
  private final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
      new ByteArraySerializer());
  private final LabelSubmission labels = new LabelSubmission(producer, "labels", serde, 150,
      Set.of("img-1", "<script>")::contains);

  @Test
  void shouldSendAValidLabelKeyedByImageIdWithTheWebAnnotator() throws Exception {
    LabelRecord sent = labels.submit("img-1", "  Bag ", "ana", 42);
    assertEquals(new LabelRecord("Bag", "web:ana", 42), sent);
    assertEquals(1, producer.history().size());
    assertEquals("labels", producer.history().get(0).topic());
    assertEquals("img-1", producer.history().get(0).key());
    assertEquals(sent, serde.decode(producer.history().get(0).value()));
    assertEquals("web:anonymous", labels.submit("<script>", "Coat", " ", 1).annotator());
  }

  @Test
  void shouldRefuseWhatTheLearnerWouldDeadLetterAndSendNothing() {
    assertTrue(assertThrows(LabelSubmission.Refused.class, () -> labels.submit("img-1", " ", "a", 1)).getMessage()
        .contains("must not be empty"));
    assertTrue(assertThrows(LabelSubmission.Refused.class, () -> labels.submit("img-1", "x".repeat(129), "a", 1))
        .getMessage().contains("longer than 128"));
    assertTrue(assertThrows(LabelSubmission.Refused.class, () -> labels.submit("nope", "Bag", "a", 1)).getMessage()
        .contains("unknown image id"));
    assertTrue(assertThrows(LabelSubmission.Refused.class, () -> labels.submit("", "Bag", "a", 1)).getMessage()
        .contains("no image id"));
    assertTrue(assertThrows(LabelSubmission.Refused.class, () -> labels.submit("img-1", "Bag", "a".repeat(120), 1))
        .getMessage().contains("exceeds learner.max.label.bytes=150"));
    assertEquals(0, producer.history().size());
  }
}
