package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.LearnerSettings;
import io.semistream.records.Exemplar;
import io.semistream.records.JsonSerde;
import io.semistream.records.Prediction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learner with its labelled images voting beside the prototypes (cosine, 2 neighbours). */
class ExemplarVoteTopologyTest {
  @TempDir
  Path dir;

  private LearnerSettings settings(int neighbours) {
    return LearnerHarness.settings(dir.resolve("n" + neighbours), Map.of("learner.metric", "cosine",
        "learner.exemplar.neighbours", String.valueOf(neighbours), "learner.exemplar.temperature", "0.05",
        "learner.exemplar.prototype.weight", "1", "learner.pseudo.weight", "0"));
  }

  private static float[] at(double degrees) {
    return new float[] {(float) Math.cos(Math.toRadians(degrees)), (float) Math.sin(Math.toRadians(degrees)), 0, 0};
  }

  /**
   * Class a: images at 0 and -11 degrees (mean near -6); class b: at 15 and 117 degrees (mean near 66). An image
   * at 20 degrees is nearer a's mean, and nearer b's image at 15 degrees than any other labelled image.
   */
  private static void seed(LearnerHarness h) {
    h.embed("a1", at(0));
    h.label("a1", "a");
    h.embed("a2", 1, -0.2f, 0, 0);
    h.label("a2", "a");
    h.embed("b1", at(15));
    h.label("b1", "b");
    h.embed("b2", -0.5f, 1, 0, 0);
    h.label("b2", "b");
  }

  @Test
  void shouldPublishEveryTrulyLabelledImageAsAnExemplarOnceItsEmbeddingAndLabelMeet() {
    try (LearnerHarness h = new LearnerHarness(settings(2))) {
      h.label("late", "b");   // waits for its embedding
      seed(h);
      h.embed("late", at(100));

      List<KeyValue<String, Exemplar>> out = h.exemplars.readKeyValuesToList();
      assertEquals(List.of("a1", "a2", "b1", "b2", "late"), out.stream().map(kv -> kv.key).toList());
      assertEquals(List.of("a", "a", "b", "b", "b"), out.stream().map(kv -> kv.value.className()).toList());
      assertArrayEquals(at(15), out.get(2).value.vectorView());
      assertEquals(1, out.get(2).value.modelVersion());
      assertTrue(h.exemplars.isEmpty());

      h.embedVersion("b1", 2, 0.1f, at(30));   // a newer encoder re-embeds a labelled image: its exemplar follows
      h.embed("x", at(50));                    // an unlabelled image publishes none
      List<KeyValue<String, Exemplar>> again = h.exemplars.readKeyValuesToList();
      assertEquals(1, again.size());
      assertEquals("b1", again.get(0).key);
      assertEquals(2, again.get(0).value.modelVersion());
      assertArrayEquals(at(30), again.get(0).value.vectorView());
      assertTrue(h.exemplars.isEmpty());
      assertTrue(h.deadLetters.isEmpty());
    }
  }

  @Test
  void shouldPredictTheClassOfTheNearestLabelledImagesWhereTheNearestMeanDisagrees() {
    Prediction byMeans = predictionAt20Degrees(0);
    Prediction voted = predictionAt20Degrees(2);

    assertEquals("a", byMeans.className());
    assertEquals("b", voted.className());
    // The two nearest labelled images (b1 at 5 degrees, a1 at 20) and both prototypes vote, e^((cos - 1) / 0.05).
    double[] a = {2, -0.2};
    double[] b = {Math.cos(Math.toRadians(15)) - 0.5, Math.sin(Math.toRadians(15)) + 1};
    double forB = weight(Math.cos(Math.toRadians(5))) + weight(cosineAt20(b));
    double forA = weight(Math.cos(Math.toRadians(20))) + weight(cosineAt20(a));
    assertEquals(forB / (forA + forB), voted.confidence(), 1e-6);
    assertEquals((forB - forA) / (forA + forB), voted.margin(), 1e-6);
  }

  private Prediction predictionAt20Degrees(int neighbours) {
    try (LearnerHarness h = new LearnerHarness(settings(neighbours))) {
      seed(h);
      h.predictions.readRecordsToList();
      h.embed("x", at(20));
      List<Prediction> out = h.predictionsFor("x");
      assertEquals(1, out.size());
      assertTrue(h.predictions.isEmpty());
      return out.get(0);
    }
  }

  @Test
  void shouldPublishAgainALabelledImageWhoseExemplarTheTableLacksAsAStoreWalkPassesIt() {
    try (LearnerHarness h = new LearnerHarness(settings(2))) {
      seed(h);
      h.exemplars.readRecordsToList();
      h.rawExemplars.pipeInput("a2", (byte[]) null);   // lost from the table (or never written: an upgrade)
      h.rawExemplars.pipeInput("b1", new JsonSerde<>(Exemplar.class).encode(
          new Exemplar("a", at(15), LearnerHarness.MODEL, 1, 0)));   // held for the wrong class

      // Every twelfth punctuation walks the whole store, moved prototypes or not.
      for (int i = 0; i < 12; i++) {
        h.driver.advanceWallClockTime(java.time.Duration.ofMillis(1000));
      }

      List<KeyValue<String, Exemplar>> out = h.exemplars.readKeyValuesToList();
      assertEquals(List.of("a2", "b1"), out.stream().map(kv -> kv.key).toList());
      assertEquals(List.of("a", "b"), out.stream().map(kv -> kv.value.className()).toList());
      assertArrayEquals(new float[] {1, -0.2f, 0, 0}, out.get(0).value.vectorView());
      for (int i = 0; i < 12; i++) {
        h.driver.advanceWallClockTime(java.time.Duration.ofMillis(1000));
      }
      assertTrue(h.exemplars.isEmpty(), "once the table holds them, nothing more");
    }
  }

  @Test
  void shouldSkipExemplarsItCannotUseAndKeepPredicting() {
    try (LearnerHarness h = new LearnerHarness(settings(2))) {
      seed(h);
      JsonSerde<Exemplar> serde = new JsonSerde<>(Exemplar.class);
      h.rawExemplars.pipeInput("junk", "not json".getBytes(StandardCharsets.UTF_8));
      h.rawExemplars.pipeInput("3d", serde.encode(new Exemplar("a", new float[] {1, 0, 0}, "m", 1, 0)));
      h.rawExemplars.pipeInput("far", "{\"class\":\"a\",\"vector\":[1,0,0,0]}".getBytes(StandardCharsets.UTF_8));
      h.predictions.readRecordsToList();

      h.embed("x", at(20));

      assertEquals("b", h.predictionsFor("x").get(0).className());
      assertTrue(h.deadLetters.isEmpty());
    }
  }

  private static double weight(double cosine) {
    return Math.exp((cosine - 1) / 0.05);
  }

  private static double cosineAt20(double[] p) {
    float[] v = at(20);
    return (v[0] * p[0] + v[1] * p[1]) / Math.hypot(p[0], p[1]);
  }
}
