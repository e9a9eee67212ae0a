package io.semistream.learning;

import java.util.Map;

import io.semistream.records.DoubleArraySerde;

import io.semistream.records.Prototype;

import io.semistream.records.Prediction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.LearnerSettings;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfTrainingGateTest {
  @TempDir
  Path dir;

  private static KeyValueStore<Long, double[]> store() {
    KeyValueStore<Long, double[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("gate"),
        Serdes.Long(), new DoubleArraySerde()).withLoggingDisabled().build();
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  @Test
  void shouldStayClosedUntilEnoughLabelsTestedBothSets() {
    SelfTrainingGate gate = new SelfTrainingGate(store());
    // 30 decayed trials are needed: 30 records add up to 29.1 of them, 31 to 30.07.
    for (int i = 0; i < 30; i++) {
      gate.record(1, true, false);
      assertFalse(gate.useBlended(1), "closed after " + (i + 1) + " trials");
    }
    gate.record(1, true, false);
    assertTrue(gate.useBlended(1));
  }

  @Test
  void shouldCloseWhenTheBlendedPrototypesFallBehindAndReopenWhenTheyCatchUp() {
    KeyValueStore<Long, double[]> store = store();
    SelfTrainingGate gate = new SelfTrainingGate(store);
    for (int i = 0; i < 40; i++) {
      gate.record(1, true, true);
    }
    assertTrue(gate.useBlended(1), "a tie keeps self-training on");
    gate.record(1, false, true);
    assertFalse(gate.useBlended(1), "one more miss than the labels-only set closes it");
    gate.record(1, true, false);
    gate.record(1, true, false);
    assertTrue(gate.useBlended(1));
    // The verdict lives in the (changelogged) store: a new gate over the same store agrees.
    assertTrue(new SelfTrainingGate(store).useBlended(1));
  }

  @Test
  void shouldJudgeEachEncoderVersionOnItsOwn() {
    SelfTrainingGate gate = new SelfTrainingGate(store());
    for (int i = 0; i < 40; i++) {
      gate.record(1, true, false);
    }
    assertTrue(gate.useBlended(1));
    assertFalse(gate.useBlended(2), "a verdict earned under v1 does not carry to v2's prototypes");
    for (int i = 0; i < 40; i++) {
      gate.record(2, false, true);
    }
    assertFalse(gate.useBlended(2));
    assertTrue(gate.useBlended(1), "and v2's labels do not move v1's verdict");
  }

  @Test
  void shouldClassifyWithTrueLabelMeansWhileTheGateIsClosed() {
    // Pseudo-labels weigh as much as true labels and are easy to get: they drag "a" towards x = 4.
    LearnerSettings s = LearnerHarness.settings(dir, Map.of("learner.pseudo.weight", "1.0",
        "learner.pseudo.max.ratio", "100.0"));
    try (LearnerHarness h = new LearnerHarness(s)) {
      h.embed("a1", 0, 0, 0, 0);
      h.label("a1", "a");
      h.embed("b1", 10, 0, 0, 0);
      h.label("b1", "b");
      for (int i = 0; i < 20; i++) {
        h.embed("u" + i, 4, 0, 0, 0);
      }
      Prototype a = h.latestPrototypes().get("a");
      assertEquals(20.0, a.pseudoWeight(), 1e-9);
      assertTrue(a.vector()[0] > 3.5, "blended mean of a moved to " + a.vector()[0]);
      assertEquals(0.0, a.labelledVector()[0], 0);
      h.predictions.readRecordsToList();
      // x = 6.5: the blended "a" (3.8) is nearer than "b" (10), the true-label "a" (0) is not.
      h.embed("probe", 6.5f, 0, 0, 0);
      List<Prediction> probe = h.predictionsFor("probe");
      assertEquals("b", probe.get(0).className(), "no label has tested the blended set yet: labels-only rules");
    }
  }
}
