package io.semistream.learning;

import io.semistream.records.Anomaly;

import io.semistream.records.PrototypeDelta;

import io.semistream.records.Prediction;

import io.semistream.records.Prototype;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.LearnerSettings;
import io.semistream.records.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLearnerTopologyTest {
  @TempDir
  Path dir;

  private static void assertVector(double[] expected, Prototype p) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], p.vector()[i], 1e-9, p.className() + " dim " + i);
    }
  }

  @Test
  void shouldPredictThenCorrectPredictionAndPrototypesWhenALateLabelArrives() {
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir))) {
      h.seedTwoClasses();
      Map<String, Prototype> protos = h.latestPrototypes();
      assertVector(new double[] {0.5, 0, 0, 0}, protos.get("a"));
      assertVector(new double[] {10.5, 0, 0, 0}, protos.get("b"));
      h.predictions.readRecordsToList();

      h.embed("x", 1.5f, 0, 0, 0);   // close to "a": confident, becomes a pseudo-label of "a"
      List<Prediction> first = h.predictionsFor("x");
      assertEquals(1, first.size());
      Prediction p1 = first.get(0);
      assertEquals("a", p1.className());
      assertEquals(Prediction.Status.PSEUDO, p1.status());
      assertEquals(1, p1.version());
      assertTrue(p1.confidence() > 0.9 && p1.margin() > 0.8, p1.toString());
      Prototype aWithPseudo = h.latestPrototypes().get("a");
      assertEquals(0.2, aWithPseudo.pseudoWeight(), 1e-9, "fixed-point sums round to 2^-30");
      assertEquals(2, aWithPseudo.labelledCount());
      assertVector(new double[] {(0 + 1 + 0.2 * 1.5) / 2.2, 0, 0, 0}, aWithPseudo);

      h.label("x", "b");             // the truth, late: x leaves "a" (pseudo) and joins "b" (labelled)
      List<Prediction> corrected = h.predictionsFor("x");
      assertEquals(1, corrected.size());
      assertEquals(new Prediction("b", 1.0, 1.0, Prediction.Status.LABELLED, 2, LearnerHarness.MODEL, 1,
          corrected.get(0).eventTime(), null), corrected.get(0));
      Map<String, Prototype> after = h.latestPrototypes();
      assertEquals(0.0, after.get("a").pseudoWeight(), 0);
      assertVector(new double[] {0.5, 0, 0, 0}, after.get("a"));
      assertEquals(3, after.get("b").labelledCount());
      assertVector(new double[] {(10 + 11 + 1.5) / 3, 0, 0, 0}, after.get("b"));
      assertTrue(h.predictions.isEmpty());
      assertTrue(h.prototypes.isEmpty());
      assertTrue(h.anomalies.isEmpty());
      assertTrue(h.deadLetters.isEmpty());
    }
  }

  @Test
  void shouldMoveAnImageBetweenPrototypesWhenRelabelled() {
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir))) {
      h.seedTwoClasses();
      h.latestPrototypes();
      h.predictions.readRecordsToList();
      h.embed("y", 5, 1, 0, 0);
      h.label("y", "a");
      h.label("y", "b");
      List<Prediction> ys = h.predictionsFor("y");
      assertEquals(List.of("a", "b"), ys.stream().map(Prediction::className).toList().subList(ys.size() - 2,
          ys.size()));
      assertEquals(Prediction.Status.LABELLED, ys.get(ys.size() - 1).status());
      Map<String, Prototype> protos = h.latestPrototypes();
      assertEquals(2, protos.get("a").labelledCount());
      assertVector(new double[] {0.5, 0, 0, 0}, protos.get("a"));
      assertEquals(3, protos.get("b").labelledCount());
      assertVector(new double[] {(10 + 11 + 5) / 3.0, 1 / 3.0, 0, 0}, protos.get("b"));
      // The deltas tell the whole story: -1 from "a", +1 to "b" for the relabel.
      List<PrototypeDelta> deltas = h.deltas.readValuesToList();
      PrototypeDelta leave = deltas.get(deltas.size() - 2);
      PrototypeDelta join = deltas.get(deltas.size() - 1);
      assertEquals("a", leave.className());
      assertEquals(-1.0, leave.weight());
      assertEquals("b", join.className());
      assertEquals(1.0, join.weight());
    }
  }

  @Test
  void shouldHoldALabelThatArrivesBeforeItsEmbedding() {
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir))) {
      h.label("early", "c");
      assertTrue(h.predictions.isEmpty());
      assertTrue(h.prototypes.isEmpty());
      h.embed("early", 3, 3, 3, 3);
      assertEquals(new Prediction("c", 1.0, 1.0, Prediction.Status.LABELLED, 1, LearnerHarness.MODEL, 1,
          h.time, null), h.predictions.readValue());
      Prototype c = h.latestPrototypes().get("c");
      assertEquals(1, c.labelledCount());
      assertVector(new double[] {3, 3, 3, 3}, c);
      assertTrue(h.predictions.isEmpty());
      assertTrue(h.deadLetters.isEmpty());
    }
  }

  @Test
  void shouldDeadLetterALabelWhoseImageNeverArrives() {
    LearnerSettings s = LearnerHarness.settings(dir);
    try (LearnerHarness h = new LearnerHarness(s)) {
      h.rawLabel("ghost", "{\"class\":\"c\",\"annotator\":\"t\",\"time\":1}");   // a label dated 1970
      h.embed("late-stream", 1, 1, 1, 1);          // moves stream time ...
      h.time += s.retention().labelWaitMs() + 1;               // ... past the wait
      h.embed("later-stream", 2, 2, 2, 2);
      for (int i = 0; i < 12; i++) {              // the orphan sweep runs with the periodic full scan
        h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      }
      TestRecord<String, byte[]> dl = h.deadLetters.readRecord();
      assertEquals("ghost", dl.key());
      assertEquals("orphan-label", new String(dl.headers().lastHeader(DeadLetters.REASON).value(),
          StandardCharsets.UTF_8));
      assertTrue(new String(dl.value(), StandardCharsets.UTF_8).contains("\"class\":\"c\""));
      assertEquals(h.time, dl.timestamp(), "stamped with stream time, not the label's own time field");
      assertTrue(h.deadLetters.isEmpty());
    }
  }

  @Test
  void shouldRelabelTheBacklogWhenThePunctuationFindsPrototypesMoved() {
    LearnerSettings s = LearnerHarness.settings(dir).withPseudoWeight(0);
    try (LearnerHarness h = new LearnerHarness(s)) {
      h.embed("a1", 0, 0, 0, 0);
      h.label("a1", "a");
      h.embed("b1", 10, 0, 0, 0);
      h.label("b1", "b");
      h.embedWithEventTime("z", 1, 6, 0, 0, 0);  // nearer "b" (distance 4 vs 6); an image from 1970
      assertEquals("b", h.predictionsFor("z").get(0).className());
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));  // snapshot taken, nothing moved
      assertTrue(h.predictions.isEmpty());
      h.embed("b2", 20, 0, 0, 0);
      h.label("b2", "b");                       // "b" moves to 15: now "a" (6) beats "b" (9)
      h.predictions.readRecordsToList();
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      List<TestRecord<String, Prediction>> corrections = h.predictions.readRecordsToList();
      assertEquals(1, corrections.size(), corrections.toString());
      assertEquals("z", corrections.get(0).key());
      assertEquals("a", corrections.get(0).value().className());
      assertEquals(2, corrections.get(0).value().version());
      assertEquals(Prediction.Status.UNCERTAIN, corrections.get(0).value().status());
      assertEquals(1, corrections.get(0).value().eventTime(), "the image's event time is in the prediction");
      assertEquals(h.time, corrections.get(0).timestamp(), "the correction is stamped with stream time: an event "
          + "time past the topic's retention would have it deleted as soon as its segment rolls");
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));  // stable: no new correction
      assertTrue(h.predictions.isEmpty());
    }
  }

  /** Classes "a" at 0 and "b" at 10, and {@code backlog} unlabelled images at 6: nearer "b" until "b" moves to 15. */
  private static void seedTwoClassesAndABacklog(LearnerHarness h, int backlog) {
    h.embed("a1", 0, 0, 0, 0);
    h.label("a1", "a");
    h.embed("b1", 10, 0, 0, 0);
    h.label("b1", "b");
    for (int i = 0; i < backlog; i++) {
      h.embed(String.format("z%05d", i), 6, 0, 0, 0);
    }
  }

  @Test
  void shouldRelabelALargeBacklogInChunksAcrossPunctuationsAndResumeWhereTheWalkStopped() {
    LearnerSettings s = LearnerHarness.settings(dir, Map.of("learner.relabel.max.images", "1500"))
        .withPseudoWeight(0);
    int backlog = 2 * ImageLearner.SCAN_CHUNK + 7;
    try (LearnerHarness h = new LearnerHarness(s)) {
      seedTwoClassesAndABacklog(h, backlog);
      // The classes' appearance starts a round, which two punctuations walk.
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      h.embed("b2", 20, 0, 0, 0);
      h.label("b2", "b");
      h.predictions.readRecordsToList();

      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      List<TestRecord<String, Prediction>> first = h.predictions.readRecordsToList();
      assertEquals(1500 - 3, first.size(), "one punctuation walks 1,500 images: a1, b1, b2 and 1,497 of the backlog");
      assertEquals("z00000", first.get(0).key());
      assertEquals("z01496", first.get(first.size() - 1).key());
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      List<TestRecord<String, Prediction>> rest = h.predictions.readRecordsToList();
      assertEquals(backlog - 1497, rest.size(), "the next one goes on where the walk stopped, to the end");
      assertEquals("z01497", rest.get(0).key());

      List<TestRecord<String, Prediction>> all = new java.util.ArrayList<>(first);
      all.addAll(rest);
      assertEquals(backlog, all.stream().map(TestRecord::key).distinct().count(), "every image of the backlog, once");
      assertTrue(all.stream().allMatch(r -> r.value().className().equals("a")));
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      assertTrue(h.predictions.isEmpty(), "the round is over and nothing moved since it began");
    }
  }

  @Test
  void shouldSpreadARelabelRoundOverStepsBetweenChecksSoNewImagesWaitBehindOneStepOnly() {
    // 1,500 images per 1 s interval in steps of 100 ms: 150 per walk.
    LearnerSettings s = LearnerHarness.settings(dir, Map.of("learner.relabel.max.images", "1500",
        "learner.relabel.step.ms", "100")).withPseudoWeight(0);
    assertEquals(150, s.selfTraining().relabelImagesPerWalk());
    int backlog = 2 * ImageLearner.SCAN_CHUNK + 7;
    Duration step = Duration.ofMillis(100);
    try (LearnerHarness h = new LearnerHarness(s)) {
      seedTwoClassesAndABacklog(h, backlog);
      for (int i = 0; i < 30; i++) {
        h.driver.advanceWallClockTime(step);   // the classes' appearance: a round, walked to its end
      }
      h.embed("b2", 20, 0, 0, 0);
      h.label("b2", "b");
      h.predictions.readRecordsToList();

      for (int i = 0; i < 9; i++) {
        h.driver.advanceWallClockTime(step);
        assertTrue(h.predictions.isEmpty(), "no round in progress: a step between checks does nothing");
      }
      h.driver.advanceWallClockTime(step);   // the check: "b" moved, a round starts with its first step
      List<TestRecord<String, Prediction>> first = h.predictions.readRecordsToList();
      assertEquals(150 - 3, first.size(), "the first step walks 150 images: a1, b1, b2 and 147 of the backlog");
      assertEquals("z00000", first.get(0).key());
      assertEquals("z00146", first.get(first.size() - 1).key());
      h.driver.advanceWallClockTime(step);
      List<TestRecord<String, Prediction>> second = h.predictions.readRecordsToList();
      assertEquals(150, second.size(), "the next step goes on where the walk stopped");
      assertEquals("z00147", second.get(0).key());

      List<TestRecord<String, Prediction>> all = new java.util.ArrayList<>(first);
      all.addAll(second);
      for (int i = 2; i < 10; i++) {
        h.driver.advanceWallClockTime(step);
        all.addAll(h.predictions.readRecordsToList());
      }
      assertEquals(1500 - 3, all.size(), "one interval's steps walk learner.relabel.max.images, as one walk did");
      for (int i = 0; i < 5; i++) {
        h.driver.advanceWallClockTime(step);
        List<TestRecord<String, Prediction>> more = h.predictions.readRecordsToList();
        assertTrue(more.size() <= 150, "a step walks at most its share, the check's included");
        all.addAll(more);
      }
      assertEquals(backlog, all.size());
      assertEquals(backlog, all.stream().map(TestRecord::key).distinct().count(), "every image of the backlog, once");
      assertTrue(all.stream().allMatch(r -> r.value().className().equals("a")));
      for (int i = 0; i < 10; i++) {
        h.driver.advanceWallClockTime(step);
      }
      assertTrue(h.predictions.isEmpty(), "the round is over and nothing moved since it began");
    }
  }

  @Test
  void shouldWriteOnlyChangedImagesToTheChangelogInARelabelRound() {
    LearnerSettings s = LearnerHarness.settings(dir).withPseudoWeight(0);
    try (LearnerHarness h = new LearnerHarness(s)) {
      var changelog = h.driver.createOutputTopic(s.applicationId() + "-" + LearnerStores.IMAGES + "-changelog",
          new org.apache.kafka.common.serialization.StringDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer());
      h.embed("a1", 0, 0, 0, 0);
      h.label("a1", "a");
      h.embed("b1", 10, 0, 0, 0);
      h.label("b1", "b");
      h.embed("z", 6, 0, 0, 0);                 // "b" now, "a" once "b" moves to 15
      h.embed("y", 30, 0, 0, 0);                // "b" before and after
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      h.embed("b2", 20, 0, 0, 0);
      h.label("b2", "b");
      changelog.readRecordsToList();
      h.predictions.readRecordsToList();
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      assertEquals(List.of("z"), h.predictions.readRecordsToList().stream().map(TestRecord::key).toList());
      assertEquals(List.of("z"), changelog.readRecordsToList().stream().map(TestRecord::key).toList(),
          "the round re-classified y too, but only z changed, so only z is written");
    }
  }

  @Test
  void shouldRelabelOnTheEngineInBatchesAsTheJavaPathDoesOneAtATime(@TempDir Path other) {
    Map<String, String> cosine = Map.of("learner.metric", "cosine", "learner.engine.ranking.min.classes", "0");
    List<TestRecord<String, Prediction>> java = relabelScenario(LearnerHarness.settings(dir, cosine));
    List<TestRecord<String, Prediction>> engine = relabelScenario(LearnerHarness.settings(other,
        Map.of("learner.metric", "cosine", "learner.engine.ranking.min.classes", "2")));
    assertEquals(java.size(), engine.size(), "the same predictions and corrections");
    assertTrue(engine.stream().anyMatch(r -> r.value().version() > 1), "a relabel round corrected some images");
    for (int i = 0; i < java.size(); i++) {
      Prediction a = java.get(i).value();
      Prediction b = engine.get(i).value();
      String where = java.get(i).key() + " v" + a.version();
      assertEquals(java.get(i).key(), engine.get(i).key(), where);
      assertEquals(a.className(), b.className(), where);
      assertEquals(a.status(), b.status(), where);
      assertEquals(a.version(), b.version(), where);
      assertEquals(a.confidence(), b.confidence(), 1e-5, where);
      assertEquals(a.margin(), b.margin(), 1e-5, where);
    }
  }

  /** Three labelled classes, a backlog of 40, then labels that move two prototypes; two relabel rounds. */
  private static List<TestRecord<String, Prediction>> relabelScenario(LearnerSettings s) {
    try (LearnerHarness h = new LearnerHarness(s)) {
      h.embed("a1", 1, 0, 0, 0);
      h.label("a1", "a");
      h.embed("b1", 0, 1, 0, 0);
      h.label("b1", "b");
      h.embed("c1", 0, 0, 1, 0);
      h.label("c1", "c");
      java.util.Random r = new java.util.Random(5);
      for (int i = 0; i < 40; i++) {
        h.embed("u" + i, r.nextFloat(), r.nextFloat(), r.nextFloat(), 0.2f * r.nextFloat());
      }
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      h.embed("b2", 0.8f, 1, 0, 0);
      h.label("b2", "b");
      h.embed("a2", 1, 0, 0.9f, 0);
      h.label("a2", "a");
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      return h.predictions.readRecordsToList();
    }
  }

  @Test
  void shouldStayQuietDuringWarmUpAndFlagAFarImageAfterIt() {
    LearnerSettings s = LearnerHarness.settings(dir).withPseudoWeight(0);
    try (LearnerHarness h = new LearnerHarness(s)) {
      h.embed("a1", 0, 0, 0, 0);
      h.label("a1", "a");
      h.embed("a2", 0, 2, 0, 0);
      h.label("a2", "a");
      h.embed("b1", 10, 0, 0, 0);
      h.label("b1", "b");
      h.embed("b2", 10, 2, 0, 0);
      h.label("b2", "b");
      // A far image during warm-up (20 scores): scored, not flagged.
      h.embed("early-outlier", 100, 100, 100, 100);
      for (int i = 0; i < s.anomalies().warmup() + 5; i++) {
        h.embed("n" + i, (i % 2) * 10, 1 + (i % 3) * 0.1f, 0, 0);
      }
      assertTrue(h.anomalies.isEmpty(), "no alert during warm-up");
      Prediction early = h.predictionsFor("early-outlier").get(0);
      assertEquals(Prediction.Status.UNCERTAIN, early.status());
      h.predictions.readRecordsToList();

      h.embed("outlier", 100, -100, 50, 50);
      TestRecord<String, Anomaly> a = h.anomalies.readRecord();
      assertEquals("outlier", a.key());
      assertTrue(a.value().score() > a.value().threshold(), a.value().toString());
      assertTrue(a.value().prototypeDistance() > 100);
      Prediction p = h.predictionsFor("outlier").get(0);
      assertEquals(Prediction.Status.ANOMALY, p.status());
      assertEquals(a.value().score(), p.anomalyScore(), 1e-12);
      assertTrue(h.anomalies.isEmpty());

      h.embed("normal", 10, 1.1f, 0, 0);
      assertTrue(h.anomalies.isEmpty());
      assertEquals(Prediction.Status.UNCERTAIN, h.predictionsFor("normal").get(0).status());
    }
  }

  @Test
  void shouldScoreAnomaliesAgainstTheTrueLabelMeansInTheNoveltyViewWhileATunedEncoderServes() {
    float[] hiddenInServing = {0, 1, 0, 0};
    float[] farInNovelty = {100, 100, 100, 100};
    for (String view : List.of("novelty", "serving")) {
      LearnerSettings s = LearnerHarness.settings(dir.resolve(view),
          Map.of("learner.anomaly.view", view, "learner.anomaly.distance", "euclidean")).withPseudoWeight(0);
      try (LearnerHarness h = new LearnerHarness(s)) {
        // Encoder v2 serves; every embedding carries its v1 (novelty view) vector, here the same shape shifted.
        float[][] a = {{0, 0, 0, 0}, {0, 2, 0, 0}};
        float[][] b = {{10, 0, 0, 0}, {10, 2, 0, 0}};
        for (int i = 0; i < 2; i++) {
          h.embedWithNovelty("a" + i, 2, 1, shifted(a[i], 50), a[i]);
          h.label("a" + i, "a");
          h.embedWithNovelty("b" + i, 2, 1, shifted(b[i], 50), b[i]);
          h.label("b" + i, "b");
        }
        Prototype protoA = h.latestPrototypes().get("a");
        assertEquals(1, protoA.noveltyVersion());
        assertArrayEquals(new double[] {50, 51, 50, 50}, protoA.noveltyVector(), 1e-9, "the labels' mean in v1");
        assertArrayEquals(new double[] {0, 1, 0, 0}, protoA.labelledVector(), 1e-9, "the labels' mean in v2");
        for (int i = 0; i < s.anomalies().warmup() + 5; i++) {
          float[] v = {(i % 2) * 10, 1 + (i % 3) * 0.1f, 0, 0};
          h.embedWithNovelty("n" + i, 2, 1, shifted(v, 50), v);
        }
        assertTrue(h.anomalies.isEmpty(), view + ": no alert during warm-up");
        h.predictions.readRecordsToList();

        // Familiar to the tuned encoder, far from every labelled class in the autoencoder's space.
        h.embedWithNovelty("hidden", 2, 1, farInNovelty, hiddenInServing);
        Prediction p = h.predictionsFor("hidden").get(0);
        if (view.equals("novelty")) {
          TestRecord<String, Anomaly> anomaly = h.anomalies.readRecord();
          assertEquals("hidden", anomaly.key());
          // The nearest novelty mean is b's, (60, 51, 50, 50).
          double toB = Math.sqrt(40 * 40 + 49 * 49 + 50 * 50 + 50 * 50);
          assertEquals(toB, anomaly.value().score(), 1e-6, "the distance to the nearest novelty mean");
          assertEquals(Prediction.Status.ANOMALY, p.status());
        } else {
          assertTrue(p.anomalyScore() < 1, "the serving view sees the class mean: " + p.anomalyScore());
          assertTrue(p.status() != Prediction.Status.ANOMALY, p.toString());
        }
        assertTrue(h.anomalies.isEmpty());
      }
    }
  }

  @Test
  void shouldScoreADepartureAlongADimensionTheLabelledClassesHardlyVaryInAsMoreAnomalous() {
    // Both classes vary along dimension 0 only; two images 8 from class a's mean: one along dimension 0, one along
    // dimension 2. Plain Euclidean scores them alike; scaled, the one along dimension 2 is the stranger.
    float[] alongVaried = {8, 0, 0, 0};
    float[] alongQuiet = {0, 0, 8, 0};
    Map<String, double[]> scores = new java.util.HashMap<>();
    for (String distance : List.of("scaled", "euclidean")) {
      LearnerSettings s = LearnerHarness.settings(dir.resolve(distance),
          Map.of("learner.anomaly.distance", distance, "learner.anomaly.warmup", "10")).withPseudoWeight(0);
      try (LearnerHarness h = new LearnerHarness(s)) {
        float[][] labelled = {{-4, 0, 0, 0}, {4, 0, 0, 0}, {-4, 10, 0, 0}, {4, 10, 0, 0}};
        for (int i = 0; i < labelled.length; i++) {
          h.embedWithNovelty("l" + i, 2, 1, labelled[i], labelled[i]);
          h.label("l" + i, i < 2 ? "a" : "b");
        }
        Prototype a = h.latestPrototypes().get("a");
        assertArrayEquals(new double[] {16, 0, 0, 0}, a.noveltyVariance(), 1e-6, "class a's variance per dimension");
        assertEquals(2, a.noveltyCount());
        h.embedWithNovelty("varied", 2, 1, alongVaried, alongVaried);
        double varied = h.predictionsFor("varied").get(0).anomalyScore();
        h.embedWithNovelty("quiet", 2, 1, alongQuiet, alongQuiet);
        scores.put(distance, new double[] {varied, h.predictionsFor("quiet").get(0).anomalyScore()});
      }
    }
    assertArrayEquals(new double[] {8, 8}, scores.get("euclidean"), 1e-6);
    // Pooled variance: squared deviations (32, 0, 0, 0) per class over 2 degrees of freedom, (32, 0, 0, 0), shrunk
    // by 10 / (2 + 10) towards its mean 8 per dimension; the weights sqrt(8 / shrunk) keep the embedding's units.
    double shrink = PrototypeIndex.SHRINKAGE_EXAMPLES / (2 + PrototypeIndex.SHRINKAGE_EXAMPLES);
    double varied = (1 - shrink) * 32 + shrink * 8;
    double quiet = shrink * 8;
    assertArrayEquals(new double[] {8 * Math.sqrt(8 / varied), 8 * Math.sqrt(8 / quiet)}, scores.get("scaled"),
        1e-5);
    assertTrue(scores.get("scaled")[1] > scores.get("scaled")[0], "the departure along the quiet dimension");
  }

  private static float[] shifted(float[] v, float by) {
    float[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += by;
    }
    return out;
  }

  @Test
  void shouldDeadLetterMalformedLabelsAndEmbeddingsAndKeepProcessing() {
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir))) {
      h.rawLabel("l1", "{not json");
      h.rawLabel("l2", "{\"class\":\"\",\"annotator\":\"a\",\"time\":1}");
      h.rawLabel("l3", "{\"class\":\"" + "x".repeat(5000) + "\",\"annotator\":\"a\",\"time\":1}");
      h.rawLabel("l4", null);
      h.rawEmbedding("e1", new byte[] {1, 2, 3});
      h.rawEmbedding("e2", io.semistream.records.EmbeddingSerde.encode(
          new io.semistream.records.EmbeddingRecord(new float[] {1, 2}, 0.1f, "m", 1, 5)));
      byte[] nan = io.semistream.records.EmbeddingSerde.encode(
          new io.semistream.records.EmbeddingRecord(new float[] {1, 2, 3, 4}, 0.1f, "m", 1, 5));
      java.nio.ByteBuffer.wrap(nan).putFloat(nan.length - 4, Float.NaN);
      h.rawEmbedding("e3", nan);
      h.embed("ok", 1, 1, 1, 1);
      h.label("ok", "fine");

      List<TestRecord<String, byte[]>> dead = h.deadLetters.readRecordsToList();
      assertEquals(List.of("l1", "l2", "l3", "l4", "e1", "e2", "e3"), dead.stream().map(TestRecord::key).toList());
      List<String> reasons = dead.stream().map(r -> new String(r.headers().lastHeader(DeadLetters.REASON).value(),
          StandardCharsets.UTF_8)).toList();
      assertEquals(List.of("malformed-label", "malformed-label", "malformed-label", "malformed-label",
          "malformed-embedding", "malformed-embedding", "malformed-embedding"), reasons);
      String dimError = new String(dead.get(5).headers().lastHeader(DeadLetters.ERROR).value(),
          StandardCharsets.UTF_8);
      assertTrue(dimError.contains("dimension 2"), dimError);
      assertEquals("labels", new String(dead.get(0).headers().lastHeader(DeadLetters.SOURCE_TOPIC).value(),
          StandardCharsets.UTF_8));
      assertEquals("fine", h.latestPrototypes().get("fine").className());
      assertTrue(h.anomalies.isEmpty(), "bad input raises no anomaly");
    }
  }

  @Test
  void shouldPredictZeroShotClassesForNovelImagesUntilTheirLabelsArrive(@TempDir Path dir) {
    LearnerSettings s = LearnerHarness.settings(dir);
    try (LearnerHarness h = new LearnerHarness(s)) {
      h.seedTwoClasses();
      h.synthesized("c", 0, 0, 50, 0);
      h.synthesized("d", 0, 0, 0, 50);
      for (int i = 0; i < s.anomalies().warmup() + 5; i++) {
        h.embed("n" + i, (i % 2) * 10, 1 + (i % 3) * 0.1f, 0, 0);
      }
      h.predictions.readRecordsToList();
      h.deltas.readRecordsToList();
      h.prototypes.readRecordsToList();

      h.embed("novel", 0, 0, 45, 5);
      Prediction p = h.predictionsFor("novel").get(0);
      assertEquals(Prediction.Status.ZERO_SHOT, p.status(), p.toString());
      assertEquals("c", p.className());
      assertEquals("a", p.seenClass(), "the labelled class it would have been");
      assertEquals("c", p.zeroShotClass());
      assertEquals("novel", h.anomalies.readRecord().key(), "still novel for the labelled classes");
      assertTrue(h.deltas.isEmpty(), "a zero-shot prediction never moves a prototype");

      h.embed("familiar", 10, 1.05f, 0, 0);
      Prediction f = h.predictionsFor("familiar").get(0);
      assertEquals("b", f.className());
      assertEquals("b", f.seenClass());
      assertEquals("c", f.zeroShotClass(), "the nearest zero-shot class is reported, not predicted");
      assertTrue(f.status() != Prediction.Status.ZERO_SHOT);

      // True labels for "c": its real prototype takes over, whatever the zero-shot topic still says.
      h.embed("c1", 0, 0, 48, 0);
      h.label("c1", "c");
      h.predictions.readRecordsToList();
      h.embed("novel-2", 0, 0, 48, 0.1f);
      Prediction after = h.predictionsFor("novel-2").get(0);
      assertEquals("c", after.className());
      assertTrue(after.status() != Prediction.Status.ZERO_SHOT, after.toString());
      assertEquals("c", after.seenClass());
      assertEquals("d", after.zeroShotClass());
      assertTrue(h.deadLetters.isEmpty());
    }
  }

  @Test
  void shouldSkipSynthesizedPrototypesItCannotUse(@TempDir Path dir) {
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir))) {
      h.seedTwoClasses();
      h.rawZeroShot.pipeInput("c", "this is not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      h.synthesized("d", 0, 0, 50);
      h.rawZeroShot.pipeInput("e", new io.semistream.records.JsonSerde<>(
          io.semistream.records.SynthesizedPrototype.class).encode(new io.semistream.records.SynthesizedPrototype(
              "f", new double[] {0, 0, 0, 50}, 1, LearnerHarness.MODEL, 1, java.util.List.of("a", "b"), 1, 0)));
      h.predictions.readRecordsToList();
      h.embed("x", 0.2f, 0, 0, 0);
      Prediction p = h.predictionsFor("x").get(0);
      assertEquals("a", p.className());
      assertEquals(null, p.zeroShotClass(), "no usable zero-shot class: junk, wrong dimension, key != class");
      assertTrue(h.deadLetters.isEmpty());
    }
  }

  @Test
  void shouldRelabelTheBacklogWhenZeroShotClassesArriveAtAnIdleLearner(@TempDir Path dir) {
    LearnerSettings s = LearnerHarness.settings(dir, Map.of("learner.relabel.idle.rounds", "1"));
    try (LearnerHarness h = new LearnerHarness(s)) {
      h.seedTwoClasses();
      for (int i = 0; i < s.anomalies().warmup() + 5; i++) {
        h.embed("n" + i, (i % 2) * 10, 1 + (i % 3) * 0.1f, 0, 0);
      }
      h.embed("novel", 0, 0, 45, 5);
      assertEquals(Prediction.Status.ANOMALY, h.predictionsFor("novel").get(0).status());
      for (int round = 0; round < 5; round++) {
        h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      }
      h.predictions.readRecordsToList();
      h.synthesized("c", 0, 0, 50, 0);       // semantics published long after the stream went quiet
      h.synthesized("d", 0, 0, 0, 50);
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      List<Prediction> relabelled = h.predictions.readRecordsToList().stream().map(TestRecord::value).toList();
      assertTrue(relabelled.stream().filter(p -> p.status() != Prediction.Status.LABELLED)
          .allMatch(p -> p.zeroShotClass() != null), "every unlabelled image now names its nearest zero-shot class");
      Prediction corrected = relabelled.stream().filter(p -> p.status() == Prediction.Status.ZERO_SHOT)
          .findFirst().orElseThrow();
      assertEquals(Prediction.Status.ZERO_SHOT, corrected.status());
      assertEquals("c", corrected.className());
      assertEquals(2, corrected.version(), "a correction");
      for (int round = 0; round < 5; round++) {
        h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      }
      assertTrue(h.predictions.isEmpty(), "and then silent again");
    }
  }

  @Test
  void shouldSeedANamedCandidatesClassFromItsCentroidUntilTheClassHasLabelsOfItsOwn(@TempDir Path dir) {
    LearnerSettings s = LearnerHarness.settings(dir, Map.of("learner.pseudo.min.labels", "3",
        "learner.relabel.idle.rounds", "1"));
    try (LearnerHarness h = new LearnerHarness(s)) {
      h.seedTwoClasses();
      // One label names a new class "n" on an atypical image; the candidate's centroid points elsewhere.
      h.embed("x1", 9, 6, 0, 0);
      h.label("x1", "n");
      h.embed("y", 0.5f, 5.5f, 0, 0);
      assertEquals("a", h.predictionsFor("y").get(0).className(), "nearest to a (5.5) rather than to x1 (8.5)");
      h.candidate("candidate-1", null, 0, 1, 0, 0);
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      assertTrue(h.predictionsFor("y").isEmpty(), "an unnamed candidate is no class");
      h.candidate("candidate-1", "n", 0, 1, 0, 0);
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      List<Prediction> corrected = h.predictionsFor("y");
      assertEquals(1, corrected.size());
      assertEquals("n", corrected.get(0).className(), "seeded at (0, |x1|): 5.3 away");
      assertEquals(2, corrected.get(0).version(), "a correction");
      Prototype published = h.latestPrototypes().get("n");
      assertArrayEquals(new double[] {9, 6, 0, 0}, published.labelledVector(), 1e-6,
          "the published prototype is still the exact mean of the true labels");
      // Three true labels: the class stands on its own and the seed steps back.
      h.embed("x2", 9, 6.5f, 0, 0);
      h.label("x2", "n");
      h.embed("x3", 9.5f, 6, 0, 0);
      h.label("x3", "n");
      h.predictions.readRecordsToList();
      h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      assertEquals("a", h.predictionsFor("y").get(0).className());
    }
  }
}
