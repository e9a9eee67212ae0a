package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.kafka.Placement;
import io.semistream.records.Prediction;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The re-keying hop only for records not already on their home partition. TopologyTestDriver reads every input
 * from partition 0, so among 4 learner partitions an id whose murmur2 home is 0 arrives home, any other does not.
 */
class LearnerPlacementTest {
  private static final String EMBEDDINGS_HOP = "learner-test-embeddings-by-image-repartition";
  private static final String LABELS_HOP = "learner-test-labels-by-image-repartition";
  /** The direct path is opt-in (experimental). */
  private static final Map<String, String> DIRECT = Map.of("learner.rekey.all", "false");

  @TempDir
  Path dir;

  private static String idWithHome(int partition, int skip) {
    return IntStream.range(0, 10_000).mapToObj(i -> "img-" + i)
        .filter(id -> Placement.homeOf(id, 4) == partition).skip(skip).findFirst().orElseThrow();
  }

  /** Two labelled classes and two unlabelled images, every id at home (partition 0) or every one elsewhere. */
  private static List<KeyValue<String, Prediction>> run(LearnerHarness h, int home) {
    String a = idWithHome(home, 0);
    String b = idWithHome(home, 1);
    String x = idWithHome(home, 2);
    String y = idWithHome(home, 3);
    h.embed(a, 0, 0, 0, 0);
    h.label(a, "a");
    h.embed(b, 10, 0, 0, 0);
    h.label(b, "b");
    h.embed(x, 1, 0, 0, 0);
    h.embed(y, 9, 0, 0, 0);
    return h.predictions.readKeyValuesToList();
  }

  private static final class Counts implements LearnerObserver {
    final Map<String, Integer> byInputAndPath = new java.util.TreeMap<>();

    @Override
    public void inputPlaced(String input, boolean home) {
      byInputAndPath.merge(input + "/" + (home ? "home" : "rekeyed"), 1, Integer::sum);
    }
  }

  @Test
  void shouldSkipTheRekeyingHopForRecordsAlreadyOnTheirHomePartition() {
    Counts counts = new Counts();
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir, DIRECT), counts)) {
      List<KeyValue<String, Prediction>> out = run(h, 0);
      assertEquals(List.of(idWithHome(0, 0), idWithHome(0, 1), idWithHome(0, 2), idWithHome(0, 3)),
          out.stream().map(kv -> kv.key).distinct().toList(), out.toString());
      assertEquals("a", out.get(out.size() - 2).value.className(), out.toString());
      assertEquals("b", out.get(out.size() - 1).value.className(), out.toString());
      assertTrue(h.predictions.isEmpty());
      assertFalse(h.driver.producedTopicNames().contains(EMBEDDINGS_HOP), h.driver.producedTopicNames().toString());
      assertFalse(h.driver.producedTopicNames().contains(LABELS_HOP), h.driver.producedTopicNames().toString());
    }
    assertEquals(Map.of("embeddings/home", 4, "labels/home", 2), counts.byInputAndPath);
  }

  @Test
  void shouldRekeyRecordsThatAnotherPartitionerPlacedElsewhereAndPredictTheSame() {
    List<KeyValue<String, Prediction>> direct;
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir.resolve("home"), DIRECT))) {
      direct = run(h, 0);
    }
    Counts counts = new Counts();
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir.resolve("away"), DIRECT), counts)) {
      List<KeyValue<String, Prediction>> rekeyed = run(h, 3);
      assertTrue(h.driver.producedTopicNames().contains(EMBEDDINGS_HOP), h.driver.producedTopicNames().toString());
      assertTrue(h.driver.producedTopicNames().contains(LABELS_HOP), h.driver.producedTopicNames().toString());
      assertEquals(direct.stream().map(kv -> kv.value).toList(), rekeyed.stream().map(kv -> kv.value).toList());
      assertTrue(h.predictions.isEmpty());
      assertTrue(h.deadLetters.isEmpty());
    }
    assertEquals(Map.of("embeddings/rekeyed", 4, "labels/rekeyed", 2), counts.byInputAndPath);
  }

  @Test
  void shouldRekeyEveryRecordWhenAskedTo() {
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir, Map.of("learner.rekey.all", "true")))) {
      List<KeyValue<String, Prediction>> rekeyed = run(h, 0);
      try (LearnerHarness direct = new LearnerHarness(LearnerHarness.settings(dir.resolve("direct"), DIRECT))) {
        assertEquals(run(direct, 0), rekeyed);
      }
      assertTrue(h.driver.producedTopicNames().contains(EMBEDDINGS_HOP), h.driver.producedTopicNames().toString());
      assertTrue(h.driver.producedTopicNames().contains(LABELS_HOP), h.driver.producedTopicNames().toString());
    }
  }
}
