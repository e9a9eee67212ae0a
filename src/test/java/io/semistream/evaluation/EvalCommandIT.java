package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.semistream.cli.SemistreamCli;
import io.semistream.records.JsonSerde;
import io.semistream.testing.ProjectPaths;
import io.semistream.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval command end to end (its own embedded broker), on a small replay with one class held out. */
class EvalCommandIT {
  @TempDir
  Path dir;

  @Test
  void shouldReportAccuracyBaselinesAnomaliesAndPerformanceAsJson() throws Exception {
    Path json = dir.resolve("eval.json");
    int rc = SemistreamCli.commandLine().execute("eval", "--limit", "3000", "--label-fraction", "0.1",
        "--holdout-unlabelled", "9", "--zero-shot-classes", "9", "--seed", "3", "--model", TestModels.tinyVersionDir().toString(),
        "--json", json.toString(), "--quiet", "PT3S", "--settle", "PT10S",
        "-D", "data.dir=" + ProjectPaths.dataDir(), "-D", "learner.relabel.interval.ms=500",
        "-D", "learner.anomaly.warmup=100", "-D", "learner.anomaly.window=400", "-D", "metrics.port=-1",
        "-D", "trainer.max.steps=60", "-D", "trainer.candidate.every.steps=30", "-D", "trainer.labelled.batch=32",
        "-D", "trainer.unlabelled.batch=32", "-D", "trainer.promotion.min.heldout=10");
    assertEquals(0, rc);
    JsonNode r = JsonSerde.MAPPER.readTree(json.toFile());
    assertEquals(3000, r.get("images").asInt());
    assertEquals("Ankle boot", r.get("heldOutClasses").get(0).asText());
    assertEquals(150, r.get("replayRate").asDouble(), "with the trainer on and no --rate, the eval's chosen rate");
    assertEquals(1.0, r.get("predictionCoverage").asDouble(), "every unlabelled image got a prediction");
    double accuracy = r.get("accuracyUnlabelledKnownClasses").asDouble();
    assertTrue(accuracy > 0.3, "far above chance (1/9): " + accuracy);
    assertTrue(r.get("accuracyUnlabelledAll").asDouble() < accuracy, "held-out images count as wrong");
    assertTrue(r.get("baselineRawPixelNearestMean").asDouble() > 0.3);
    assertTrue(r.get("baselineEmbeddingTrueLabelsOnly").asDouble() > 0.3);
    assertEquals(10, r.get("accuracyOverTimeFirstPrediction").size());
    assertEquals(10, r.get("accuracyOverTimeFinalPrediction").size());
    assertEquals(9, r.get("confusion").size(), "one row per known class among unlabelled images");
    double auroc = r.get("anomaly").get("auroc").asDouble();
    assertTrue(auroc > 0.5 && auroc <= 1.0, "anomaly scores rank the held-out class above the rest: " + auroc);
    assertTrue(r.get("anomaly").get("scored").asInt() > 2000);
    assertTrue(r.get("performance").get("imagesPerSecondEndToEnd").asDouble() > 0);
    assertTrue(r.get("performance").get("latencyMsP99").asDouble() >= r.get("performance").get("latencyMsP50")
        .asDouble());
    JsonNode training = r.get("training");
    assertEquals(60, training.get("steps").asInt(), "the whole loop ran, trainer included");
    assertEquals(2, training.get("versions").size(), "a candidate every 30 steps, each judged");
    assertTrue(training.get("imagePassesPerSecondWhileTraining").asDouble() > 0);
    int served = training.get("servingVersionAtEnd").asInt();
    for (JsonNode v : training.get("versions")) {
      if (v.get("status").asText().equals("promoted")) {
        assertTrue(v.get("heldOutAccuracy").asDouble() > v.get("servingHeldOutAccuracy").asDouble(), v.toString());
      }
    }
    assertTrue(served >= 1);
    JsonNode zeroShot = r.get("zeroShot");
    assertEquals("Ankle boot", zeroShot.get("unseenClasses").get(0).asText());
    // One zero-shot class: an image's nearest zero-shot class is it whenever a synthesized prototype exists for
    // the encoder version its final prediction rests on, and the eval waits for the serving version's.
    double covered = zeroShot.get("top1AmongUnseen").asDouble();
    assertTrue(covered >= 0.9, "held-out images predicted with the zero-shot class in play: " + covered);
    assertTrue(zeroShot.get("generalisedHarmonicMean").isNumber());
    assertTrue(zeroShot.get("generativeAlternative").get("generativeTop1AmongUnseen").asDouble() == 1.0,
        "the generative alternative was measured in the same run (one unseen class: its top-1 is 1)");
    assertTrue(zeroShot.get("seenAccuracyDropPoints").asDouble() < 5, zeroShot.toString());
    assertTrue(r.get("deadLetters").isEmpty(), "a clean data set leaves no dead letter: " + r.get("deadLetters"));
    assertTrue(Files.size(json) > 500);
  }

  @Test
  void shouldLearnFromTheLabelsTheServiceAskedForWhenTheStrategyIsActive() throws Exception {
    Path json = dir.resolve("active.json");
    int rc = SemistreamCli.commandLine().execute("eval", "--limit", "2000", "--label-strategy", "active",
        "--label-budget", "60", "--rate", "400", "--annotator-delay", "PT0.3S", "--holdout-unlabelled", "9",
        "--seed", "5", "--model", TestModels.tinyVersionDir().toString(), "--json", json.toString(),
        "--quiet", "PT3S", "--settle", "PT10S", "-D", "data.dir=" + ProjectPaths.dataDir(),
        "-D", "learner.relabel.interval.ms=500", "-D", "metrics.port=-1", "-D", "trainer.enabled=false",
        // The baseline below is the class means of the asked-for labels, so the learner decides by the means alone.
        // With the labelled images voting it differed by 6.5 points in one run (57.7 against 64.2 %).
        "-D", "learner.exemplar.neighbours=0");
    assertEquals(0, rc);
    JsonNode r = JsonSerde.MAPPER.readTree(json.toFile());
    JsonNode labelling = r.get("labelling");
    assertEquals("active", labelling.get("strategy").asText());
    assertEquals(60, labelling.get("requestsPublished").asInt(), "the whole budget is asked for, not more");
    int refused = labelling.get("requestsRefusedHeldOutClass").asInt();
    assertEquals(60 - refused, r.get("labels").asInt(), "every request of a known class answered and used");
    assertTrue(r.get("labels").asInt() >= 40, labelling.toString());
    JsonNode byClass = labelling.get("labelsByClass");
    int sum = 0;
    for (JsonNode n : byClass) {
      sum += n.asInt();
    }
    assertEquals(r.get("labels").asInt(), sum, "labels by class add up: " + byClass);
    assertEquals(10, byClass.size(), "every class named, the unlabelled ones with 0: " + byClass);
    assertEquals(0, byClass.get("Ankle boot").asInt(), "the held-out class refused every request: " + byClass);
    assertEquals(1.0, r.get("predictionCoverage").asDouble());
    double accuracy = r.get("accuracyUnlabelledKnownClasses").asDouble();
    assertTrue(accuracy > 0.3, "the asked-for labels taught the learner its classes: " + accuracy);
    assertEquals(10, r.get("accuracyByLabelsSpent").size());
    // One-sided: confident pseudo-labels move the prototypes too, and how many depends on when the answers arrive
    // against the images (CI saw 63.7 % against a labels-only 55.8 %). Losing the asked-for labels would fall far
    // below their means; self-training may rise above them.
    double labelsOnly = r.get("baselineEmbeddingTrueLabelsOnly").asDouble();
    assertTrue(accuracy >= labelsOnly - 0.05,
        "the learner's final accuracy rests on the asked-for labels: " + accuracy + " against " + labelsOnly);
    assertTrue(r.get("deadLetters").isEmpty(), "a clean data set leaves no dead letter: " + r.get("deadLetters"));
  }
}
