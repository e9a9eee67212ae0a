package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.LearnerSettings;
import io.semistream.records.DeadLetters;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile or unlucky input on every topic the learner reads, and convergence when input stops. */
class LearnerHardeningTest {
  @TempDir
  Path dir;

  private static String reason(TestRecord<String, byte[]> r) {
    return new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
  }

  private static String header(TestRecord<String, byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static void seedTwoClasses(LearnerHarness h) {
    h.embed("a1", 0, 0, 0, 0);
    h.label("a1", "a");
    h.embed("b1", 10, 0, 0, 0);
    h.label("b1", "b");
  }

  @Test
  void shouldSkipJunkAndWrongDimensionPrototypesAndKeepPredicting() {
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir))) {
      h.rawPrototypes.pipeInput("junk", "this is not json".getBytes(StandardCharsets.UTF_8));
      h.rawPrototypes.pipeInput("a", ("{\"class\":\"a\",\"vector\":[1,2,3],\"count\":1,\"spread\":0,\"version\":1,"
          + "\"updateTime\":0,\"modelId\":\"m\",\"modelVersion\":1,\"labelledCount\":1,\"pseudoWeight\":0}")
          .getBytes(StandardCharsets.UTF_8));
      h.rawPrototypes.pipeInput("b", ("{\"class\":\"b\",\"vector\":[1,2,3,\"NaN\"],\"count\":1,\"spread\":0,"
          + "\"version\":1,\"updateTime\":0,\"modelId\":\"m\",\"modelVersion\":1,\"labelledCount\":1,"
          + "\"pseudoWeight\":0}").getBytes(StandardCharsets.UTF_8));
      String novel = "{\"class\":\"%s\",\"vector\":[1,0,0,0],\"count\":1,\"spread\":0,\"version\":1,"
          + "\"updateTime\":0,\"modelId\":\"m\",\"modelVersion\":1,\"labelledCount\":1,\"pseudoWeight\":0,"
          + "\"labelledVector\":[1,0,0,0],\"noveltyVersion\":1,\"noveltyVector\":%s,\"noveltyVariance\":%s,"
          + "\"noveltyCount\":1}";
      h.rawPrototypes.pipeInput("c", String.format(novel, "c", "[1,0,0,0]", "[1,-1,1,1]").getBytes(StandardCharsets.UTF_8));
      h.rawPrototypes.pipeInput("d", String.format(novel, "d", "[1,0,0,0]", "[1,\"NaN\",1,1]")
          .getBytes(StandardCharsets.UTF_8));
      h.rawPrototypes.pipeInput("e", String.format(novel, "e", "[1,0,0]", "[1,1,1]").getBytes(StandardCharsets.UTF_8));
      h.rawPrototypes.pipeInput("f", String.format(novel, "f", "[1,0,0,0]", "[1,0,2,1]").getBytes(StandardCharsets.UTF_8));
      org.apache.kafka.streams.state.KeyValueStore<String, Object> table = h.driver.getKeyValueStore(
          LearnerStores.PROTOTYPES);
      assertEquals(null, table.get("c"), "negative novelty variance: refused by the schema");
      assertEquals(null, table.get("d"), "non-numeric novelty variance: refused by the schema");
      assertEquals(null, table.get("e"), "a novelty mean of another dimension: refused");
      assertTrue(table.get("f") != null, "a valid novelty mean and variance are taken");
      seedTwoClasses(h);
      h.predictions.readRecordsToList();
      h.embed("x", 1, 0, 0, 0);
      Prediction x = h.predictionsFor("x").get(0);
      assertEquals("a", x.className(), "classified against the learner's own prototypes, the junk ignored");
      assertTrue(h.deadLetters.isEmpty(), "nothing can be dead-lettered from a global store: skipped, counted");
    }
  }

  @Test
  void shouldDeadLetterDeltasTheLearnerCouldNotHaveWrittenAndKeepTheSums() {
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir))) {
      seedTwoClasses(h);
      Map<String, Prototype> before = h.latestPrototypes();
      h.rawDeltas.pipeInput("a", "{nope".getBytes(StandardCharsets.UTF_8));
      h.rawDeltas.pipeInput("a", ("{\"className\":\"a\",\"pseudo\":false,\"weight\":1,\"embedding\":[1,2,3],"
          + "\"modelId\":\"m\",\"modelVersion\":1,\"time\":0}").getBytes(StandardCharsets.UTF_8));
      h.rawDeltas.pipeInput("a", ("{\"className\":\"a\",\"pseudo\":false,\"weight\":-5,\"embedding\":[1,2,3,4],"
          + "\"modelId\":\"m\",\"modelVersion\":1,\"time\":0}").getBytes(StandardCharsets.UTF_8));
      h.rawDeltas.pipeInput("b", ("{\"className\":\"a\",\"pseudo\":false,\"weight\":1,\"embedding\":[1,2,3,4],"
          + "\"modelId\":\"m\",\"modelVersion\":1,\"time\":0}").getBytes(StandardCharsets.UTF_8));
      h.rawDeltas.pipeInput("a", null);
      List<TestRecord<String, byte[]>> dead = h.deadLetters.readRecordsToList();
      assertEquals(5, dead.size());
      dead.forEach(r -> assertEquals("malformed-delta", reason(r)));
      assertTrue(header(dead.get(1), DeadLetters.ERROR).contains("dimension 3"), header(dead.get(1), DeadLetters.ERROR));
      assertTrue(header(dead.get(2), DeadLetters.ERROR).contains("removes weight 5.0"), header(dead.get(2), DeadLetters.ERROR));
      assertTrue(header(dead.get(3), DeadLetters.ERROR).contains("is not the delta's class"));
      assertTrue(h.prototypes.isEmpty(), () -> "the sums did not move: " + h.prototypes.readKeyValuesToList());
      h.label("x-new", "a");
      h.embed("x-new", 2, 0, 0, 0);
      Prototype a = h.latestPrototypes(before).get("a");
      assertEquals(2, a.labelledCount());
      assertEquals(1.0, a.vector()[0], 1e-12);
    }
  }

  @Test
  void shouldDeadLetterKeysThatAreMissingOrNotUtf8WithTheTopicTheyWereWrittenTo() {
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir))) {
      byte[] value = EmbeddingSerde.encode(new EmbeddingRecord(new float[] {1, 2, 3, 4}, 0.1f, "m", 1, 5));
      h.rawKeyedEmbeddings.pipeInput(new byte[] {'i', 'd', (byte) 0xC3}, value);
      h.rawKeyedEmbeddings.pipeInput(new byte[] {'i', 'd', (byte) 0xFF}, value);
      h.rawKeyedEmbeddings.pipeInput((byte[]) null, value);
      h.embed("fine", 1, 2, 3, 4);
      List<TestRecord<String, byte[]>> dead = h.deadLetters.readRecordsToList();
      assertEquals(List.of("invalid-key", "invalid-key", "missing-key"), dead.stream()
          .map(LearnerHardeningTest::reason).toList());
      dead.forEach(r -> assertEquals("embeddings", header(r, DeadLetters.SOURCE_TOPIC)));
      assertTrue(h.predictions.isEmpty() && h.deadLetters.isEmpty());
    }
  }

  @Test
  void shouldNameTheUserTopicInDeadLettersRaisedAfterTheRekeying() {
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir))) {
      h.rawLabel("l1", "{not json");
      TestRecord<String, byte[]> dl = h.deadLetters.readRecord();
      assertEquals("malformed-label", reason(dl));
      assertEquals("labels", header(dl, DeadLetters.SOURCE_TOPIC));
      assertEquals("0", header(dl, DeadLetters.SOURCE_OFFSET));
      assertTrue(dl.headers().lastHeader(DeadLetters.ORIGIN) == null, "the internal marker does not leak");
    }
  }

  @Test
  void shouldNeverPublishMorePseudoWeightThanTheCap() {
    LearnerSettings s = LearnerHarness.settings(dir, Map.of("learner.pseudo.max.ratio", "0.5",
        "learner.pseudo.weight", "0.2"));
    try (LearnerHarness h = new LearnerHarness(s)) {
      seedTwoClasses(h);
      for (int i = 0; i < 20; i++) {
        h.embed("u" + i, 0.1f * (i % 3), 0, 0, 0);
      }
      for (int round = 0; round < 5; round++) {
        h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
      }
      double reached = 0;
      for (var p : h.prototypes.readValuesToList()) {
        if (p != null) {
          assertTrue(p.pseudoWeight() <= 0.5 * p.labelledCount() + 1e-9, p.toString());
          reached = Math.max(reached, p.pseudoWeight() / p.labelledCount());
        }
      }
      assertEquals(0.4, reached, 1e-9, "pseudo-labels (0.2 each) filled class a up to the cap of 0.5 x 1 label");
    }
  }

  @Test
  void shouldScaleThePseudoPartDownToTheCapWhenDeltasInFlightOvershootIt() {
    // Image learners decide against a lagging prototype: the sums can hold more pseudo weight than the cap.
    PrototypeSums sums = PrototypeSums.empty("a", 2);
    sums = sums.apply(new io.semistream.records.PrototypeDelta("a", false, 1, new float[] {0, 0}, "m", 1, 0));
    for (int i = 0; i < 5; i++) {
      sums = sums.apply(new io.semistream.records.PrototypeDelta("a", true, 0.2, new float[] {10, 0}, "m", 1, 0));
    }
    Prototype p = sums.toPrototype(0, 0.5);
    assertEquals(0.5, p.pseudoWeight(), 1e-8, "published at the cap, not the 1.0 held");
    assertEquals(1.5, p.count(), 1e-8);
    assertEquals(0.5 * 10 / 1.5, p.vector()[0], 1e-8, "the pseudo part weighs exactly the cap in the mean");
    assertEquals(1.0, sums.pseudoWeight(), 1e-8, "the exact sums keep everything, so removals stay exact");
  }

  @Test
  void shouldFallSilentWithinTheIdleRoundBoundWhenInputStops() {
    LearnerSettings s = LearnerHarness.settings(dir, Map.of("learner.pseudo.weight", "1.0",
        "learner.pseudo.max.ratio", "100", "learner.pseudo.min.confidence", "0.5", "learner.pseudo.min.margin", "0",
        "learner.relabel.idle.rounds", "3"));
    try (LearnerHarness h = new LearnerHarness(s)) {
      seedTwoClasses(h);
      // A backlog spread between the classes: heavy pseudo-labels drag prototypes, which re-label the backlog.
      for (int i = 0; i < 40; i++) {
        h.embed("u" + i, (i * 10f) / 39, (i % 2) * 0.5f, 0, 0);
      }
      h.predictions.readRecordsToList();
      h.deltas.readRecordsToList();
      int rounds = 0;
      int lastActive = 0;
      for (; rounds < 20; rounds++) {
        h.driver.advanceWallClockTime(Duration.ofMillis(s.selfTraining().relabelIntervalMs()));
        boolean output = !h.predictions.readRecordsToList().isEmpty() | !h.deltas.readRecordsToList().isEmpty();
        if (output) {
          lastActive = rounds + 1;
        }
      }
      assertTrue(lastActive <= s.selfTraining().relabelIdleRounds(), "output until round " + lastActive);
      assertTrue(h.predictions.isEmpty() && h.deltas.isEmpty() && h.deadLetters.isEmpty());
      h.embed("new", 5, 0, 0, 0);                // new input re-opens the loop
      assertEquals(1, h.predictionsFor("new").size());
    }
  }

  @Test
  void shouldNeverMixEncoderVersionsAndSwitchPredictionsOnceTheNewVersionCoversEveryClass() {
    try (LearnerHarness h = new LearnerHarness(LearnerHarness.settings(dir, Map.of("learner.pseudo.weight", "0")))) {
      seedTwoClasses(h);                                   // version 1: a at 0, b at 10
      h.embed("u", 2, 0, 0, 0);
      assertEquals("a", h.predictionsFor("u").get(0).className());
      h.latestPrototypes();

      // Encoder v2 maps everything elsewhere: a1 re-embedded first. Class a now holds v2 only, b still v1.
      h.embedVersion("a1", 2, 0.1f, 100, 100, 0, 0);
      Prototype a = h.latestPrototypes().get("a");
      assertEquals(2, a.modelVersion());
      assertEquals(1, a.labelledCount(), "the v1 member left, only v2 vectors are summed");
      assertEquals(100, a.vector()[0], 1e-12);
      h.embedVersion("u", 2, 0.1f, 101, 100, 0, 0);
      assertTrue(h.predictionsFor("u").isEmpty(), "no prediction against a partial set of v2 classes");

      h.embedVersion("b1", 2, 0.1f, 200, 0, 0, 0);
      Map<String, Prototype> v2 = h.latestPrototypes();
      assertEquals(2, v2.get("b").modelVersion());
      h.embedVersion("u", 2, 0.1f, 101, 100, 0, 0);
      List<Prediction> u = h.predictionsFor("u");
      assertEquals(1, u.size());
      assertEquals("a", u.get(0).className());
      assertEquals(2, u.get(0).modelVersion());
      // A late v1 embedding (a straggler) neither moves the v2 prototypes nor gets compared with them.
      h.embed("late", 0, 0, 0, 0);
      assertTrue(h.predictionsFor("late").isEmpty());
      assertTrue(h.prototypes.isEmpty() && h.deadLetters.isEmpty());
    }
  }
}
