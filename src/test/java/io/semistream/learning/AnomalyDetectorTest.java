package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.records.DoubleArraySerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class AnomalyDetectorTest {
  private static final AnomalyDetector.Reference TWO_CLASSES = new AnomalyDetector.Reference(1, 2);
  private static final AnomalyDetector.Reference NINE_CLASSES = new AnomalyDetector.Reference(1, 9);
  /** At the 0.99 quantile the threshold rests on 200 scores against the current classes before older ones go. */
  private static final int NEEDED = 200;

  private static KeyValueStore<Long, double[]> store() {
    KeyValueStore<Long, double[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("window"),
        Serdes.Long(), new DoubleArraySerde()).withLoggingDisabled().build();
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    return store;
  }

  /** The defaults' quantile (0.99) and warm-up (500), over a window of 2,000 scores. */
  private static AnomalyDetector detector(KeyValueStore<Long, double[]> store) {
    return new AnomalyDetector(store, 2_000, 500, 0.99, 0);
  }

  /** Familiar images, distances 1.00 ... 1.99, against {@code reference}. */
  private static void familiar(AnomalyDetector d, int n, AnomalyDetector.Reference reference) {
    for (int i = 0; i < n; i++) {
      d.observe(1 + (i % 100) / 100.0, 0, reference);
    }
  }

  /** 600 images met two class means; 30 % of them belonged to a class without one yet: distance 8. */
  private static void caughtUpBeforeTheLabels(AnomalyDetector d) {
    for (int i = 0; i < 600; i++) {
      d.observe(i % 10 < 3 ? 8 : 1 + (i % 100) / 100.0, 0, TWO_CLASSES);
    }
  }

  @Test
  void shouldStopCountingScoresTakenAgainstFewerClassesOnceEnoughScoresAgainstAllOfThemExist() {
    AnomalyDetector d = detector(store());
    caughtUpBeforeTheLabels(d);
    familiar(d, NEEDED - 1, NINE_CLASSES);
    AnomalyDetector.Verdict early = d.observe(5, 0, NINE_CLASSES);
    assertFalse(early.anomaly(), "199 scores against nine classes: the older ones still count, the threshold errs "
        + "high: " + early.threshold());
    assertEquals(8, early.threshold(), 1e-12);
    familiar(d, 30, NINE_CLASSES);
    AnomalyDetector.Verdict v = d.observe(5, 0, NINE_CLASSES);
    assertTrue(v.anomaly(), "a distance of 5 stands out among the nine classes' scores: threshold " + v.threshold());
    assertTrue(v.threshold() < 2.5, "the threshold comes from the nine classes' scores: " + v.threshold());
  }

  @Test
  void shouldStopCountingScoresTakenInAnotherSpaceOnceEnoughScoresInTheCurrentOneExist() {
    AnomalyDetector d = detector(store());
    // Scored in the serving view (no novelty view yet): distances of another scale, 8 to 9.99, nine classes.
    AnomalyDetector.Reference serving = new AnomalyDetector.Reference(-1, 9);
    for (int i = 0; i < 600; i++) {
      d.observe(8 + (i % 100) / 50.0, 0, serving);
    }
    familiar(d, NEEDED + 30, NINE_CLASSES);
    AnomalyDetector.Verdict v = d.observe(5, 0, NINE_CLASSES);
    assertTrue(v.threshold() < 2.5, "the novelty view's scores alone make the threshold: " + v.threshold());
    assertTrue(v.anomaly());
  }

  @Test
  void shouldTakeTheThresholdFromEveryScoreWhileTheReferenceStaysTheSame() {
    AnomalyDetector d = detector(store());
    familiar(d, 1_000, NINE_CLASSES);
    // Taken every 26 scores: the last recompute saw 988 of them, 1.00 ... 1.99 nine times and 1.00 ... 1.87.
    AnomalyDetector.Verdict v = d.observe(1.995, 0, NINE_CLASSES);
    assertEquals(1.98, v.threshold(), 1e-9);
    assertTrue(v.anomaly());
    assertFalse(d.observe(1.5, 0, NINE_CLASSES).anomaly());
  }

  @Test
  void shouldKeepWhatEachScoreWasMeasuredAgainstAcrossARestart() {
    KeyValueStore<Long, double[]> store = store();
    AnomalyDetector before = detector(store);
    caughtUpBeforeTheLabels(before);
    familiar(before, NEEDED + 30, NINE_CLASSES);
    AnomalyDetector.Verdict v = detector(store).observe(5, 0, NINE_CLASSES);
    // Were the references lost, the 180 eights (22 % of the window) would make the threshold 8.
    assertTrue(v.threshold() < 2.5, "the restored window's nine-class scores make the threshold: " + v.threshold());
    assertTrue(v.anomaly());
  }

  @Test
  void shouldCountScoresWrittenWithoutAReferenceAsComparable() {
    KeyValueStore<Long, double[]> store = store();
    // A window an older version wrote: score and reconstruction error only, distances 1.00 ... 1.99.
    for (long slot = 0; slot < 1_000; slot++) {
      store.put(slot, new double[] {1 + (slot % 100) / 100.0, 0});
    }
    store.put(-1L, new double[] {1_000});
    AnomalyDetector.Verdict v = detector(store).observe(1.995, 0, NINE_CLASSES);
    assertEquals(1.99, v.threshold(), 1e-9, "the older window's scores make the threshold at once");
    assertTrue(v.anomaly());
  }

  @Test
  void shouldRefuseAReferenceWithoutClasses() {
    assertThrows(IllegalArgumentException.class, () -> new AnomalyDetector.Reference(1, 0));
  }
}
