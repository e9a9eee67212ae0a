package io.semistream.zeroshot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LabelledMeanChangesTest {
  private final JsonSerde<Prototype> serde = new JsonSerde<>(Prototype.class);
  private final io.semistream.kafka.ChangedValues<Prototype> filter = LabelledMeanChanges.filter(serde);

  /** A prototype whose pseudo-labelled part is {@code pseudo} and labelled part {@code labelledMean}. */
  private byte[] prototype(String className, double pseudo, long labels, int modelVersion, double... labelledMean) {
    return serde.encode(new Prototype(className, new double[] {pseudo, pseudo}, labels + 10 * pseudo, 0.5,
        (long) (pseudo * 100), 1, "m", modelVersion, labels, 0.5, labels == 0 ? null : labelledMean));
  }

  @Test
  void shouldHoldBackPseudoLabelUpdatesThatLeaveTheLabelledMeanAlone() {
    assertTrue(filter.admit("Sneaker", prototype("Sneaker", 0.1, 2, 1, 1, 2)), "first record of a class");
    assertFalse(filter.admit("Sneaker", prototype("Sneaker", 0.2, 2, 1, 1, 2)));
    assertFalse(filter.admit("Sneaker", prototype("Sneaker", 0.3, 2, 1, 1, 2)));
    assertTrue(filter.admit("Boot", prototype("Boot", 0.3, 2, 1, 1, 2)), "classes are remembered apart");
  }

  @Test
  void shouldPassEveryChangeOfTheLabelledPart() {
    filter.admit("Sneaker", prototype("Sneaker", 0.1, 2, 1, 1, 2));
    assertTrue(filter.admit("Sneaker", prototype("Sneaker", 0.1, 3, 1, 1, 2)), "one more label");
    assertTrue(filter.admit("Sneaker", prototype("Sneaker", 0.1, 3, 1, 1, 2.5)), "same count, other mean");
    assertTrue(filter.admit("Sneaker", prototype("Sneaker", 0.1, 3, 2, 1, 2.5)), "new encoder version");
    assertTrue(filter.admit("Sneaker", prototype("Sneaker", 0.1, 0, 2)), "labels withdrawn");
    assertFalse(filter.admit("Sneaker", prototype("Sneaker", 0.4, 0, 2)));
  }

  @Test
  void shouldPassTheFirstRecordOfEachClassAgainWhenItsTaskIsInitialisedAgain() {
    assertTrue(filter.admit("Sneaker", prototype("Sneaker", 0.1, 2, 1, 1, 2)));
    assertFalse(filter.admit("Sneaker", prototype("Sneaker", 0.1, 2, 1, 1, 2)));
    // Kafka Streams revives a task after an aborted transaction with the same processor: what passed before the
    // abort was never committed, so the record processed again must pass again.
    filter.init(null);
    assertTrue(filter.admit("Sneaker", prototype("Sneaker", 0.1, 2, 1, 1, 2)),
        "what passed before the task was initialised again passes again");
  }

  @Test
  void shouldPassTombstonesAndUnreadableRecordsForTheSynthesizerToJudge() {
    filter.admit("Sneaker", prototype("Sneaker", 0.1, 2, 1, 1, 2));
    assertTrue(filter.admit("Sneaker", null));
    assertTrue(filter.admit("Sneaker", prototype("Sneaker", 0.1, 2, 1, 1, 2)), "forgotten after the tombstone");
    assertTrue(filter.admit("Sneaker", "{not json".getBytes(StandardCharsets.UTF_8)));
    assertTrue(filter.admit("Sneaker", "{not json".getBytes(StandardCharsets.UTF_8)));
  }
}
