package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.LearnerSettings;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import org.junit.jupiter.api.Test;

/** The self-training rule on its own: no driver, no store. */
class LabelDecisionTest {
  /** weight 0.2, confidence ≥ 0.9, margin ≥ 0.5, cap 1.0 × labels, at least 3 labels. */
  private static final LearnerSettings.SelfTraining RULES =
      new LearnerSettings.SelfTraining(0.2, 0.9, 0.5, 1.0, 3, 1000, 0.01, 3);
  private final LabelDecision decision = new LabelDecision(RULES);

  private static ImageState unlabelled() {
    return new ImageState(new float[] {1, 0}, 0.1f, "m", 1, 42, null, null, null, null, 1);
  }

  private static Prototype prototype(String cls, long labels, double pseudo) {
    return new Prototype(cls, new double[] {1, 0}, labels + pseudo, 0.1, 1, 0, "m", 1, labels, pseudo,
        new double[] {1, 0});
  }

  private static Ranking ranking(double confidence, double margin) {
    return new Ranking("a", 0.1, "b", 0.9, confidence, margin, 0.1);
  }

  @Test
  void shouldGiveATrueLabelFullWeightAndStatusLabelled() {
    ImageState s = unlabelled().withTrueLabel("a");
    LabelDecision.Decision d = decision.labelled(s);
    assertEquals(new ImageState.Contribution("a", false, 1.0), d.contribution());
    assertEquals(Prediction.Status.LABELLED, d.prediction().status());
    assertEquals(42, d.prediction().eventTime());
  }

  @Test
  void shouldPseudoLabelAConfidentPredictionOfAWellLabelledClass() {
    LabelDecision.Decision d = decision.unlabelled(unlabelled(), ranking(0.95, 0.9), null, prototype("a", 5, 0), null);
    assertEquals(new ImageState.Contribution("a", true, 0.2), d.contribution());
    assertEquals(Prediction.Status.PSEUDO, d.prediction().status());
    assertNull(d.anomaly());
  }

  @Test
  void shouldStayUncertainBelowTheConfidenceOrMarginOrWithTooFewLabels() {
    assertEquals(Prediction.Status.UNCERTAIN,
        decision.unlabelled(unlabelled(), ranking(0.85, 0.9), null, prototype("a", 5, 0), null).prediction().status());
    assertEquals(Prediction.Status.UNCERTAIN,
        decision.unlabelled(unlabelled(), ranking(0.95, 0.4), null, prototype("a", 5, 0), null).prediction().status());
    assertEquals(Prediction.Status.UNCERTAIN,
        decision.unlabelled(unlabelled(), ranking(0.95, 0.9), null, prototype("a", 2, 0), null).prediction().status());
  }

  @Test
  void shouldRefuseAPseudoLabelThatWouldPassTheCapButKeepOneAlreadyCounted() {
    Prototype full = prototype("a", 5, 5.0);
    assertFalse(decision.withinCap(ranking(0.99, 0.99), null, full));
    assertTrue(decision.withinCap(ranking(0.99, 0.99), new ImageState.Contribution("a", true, 0.2), full));
  }

  @Test
  void shouldStillCallAConfidentPredictionAPseudoLabelWhenItsClassIsFull() {
    LabelDecision.Decision d = decision.unlabelled(unlabelled(), ranking(0.99, 0.99), null, prototype("a", 5, 5.0),
        null);
    assertEquals(Prediction.Status.PSEUDO, d.prediction().status());
    assertNull(d.contribution(), "the cap keeps it out of the prototype");
  }

  @Test
  void shouldKeepAHeldPseudoLabelThroughASmallDipButNotAGainOne() {
    Ranking dip = ranking(0.85, 0.45);
    ImageState counted = unlabelled().withContribution(new ImageState.Contribution("a", true, 0.2));
    assertTrue(decision.trusted(dip, counted, prototype("a", 5, 1)));
    ImageState predicted = unlabelled().withPrediction(decision.unlabelled(unlabelled(), ranking(0.99, 0.99), null,
        prototype("a", 5, 5.0), null).prediction());
    assertTrue(decision.trusted(dip, predicted, prototype("a", 5, 5.0)), "held as a prediction, outside the cap");
    assertFalse(decision.trusted(dip, unlabelled(), prototype("a", 5, 1)));
    assertFalse(decision.trusted(ranking(0.75, 0.45), counted, prototype("a", 5, 1)), "a dip beyond the slack");
  }

  @Test
  void shouldFlagAnAnomalyWithoutContributionAndKeepTheFlagInLaterRounds() {
    var verdict = new AnomalyDetector.Verdict(9.0, 5.0, true, 0);
    LabelDecision.Decision d = decision.unlabelled(unlabelled(), ranking(0.99, 0.99), verdict, prototype("a", 5, 0), null);
    assertNull(d.contribution());
    assertEquals(Prediction.Status.ANOMALY, d.prediction().status());
    assertEquals(9.0, d.anomaly().score());
    ImageState flagged = unlabelled().withPrediction(d.prediction());
    LabelDecision.Decision later = decision.unlabelled(flagged, ranking(0.99, 0.99), null, prototype("a", 5, 0), null);
    assertEquals(Prediction.Status.ANOMALY, later.prediction().status());
    assertNull(later.anomaly(), "an image is reported as an anomaly once, on arrival");
  }

  @Test
  void shouldDecideNothingWithoutPrototypes() {
    assertEquals(LabelDecision.Decision.NONE, decision.unlabelled(unlabelled(), null, null, null, null));
  }

  @Test
  void shouldGiveAFlaggedImageAZeroShotClassOnlyWhenItsSynthesizedPrototypeIsNearer() {
    var verdict = new AnomalyDetector.Verdict(9.0, 5.0, true, 0);
    Ranking seen = new Ranking("a", 0.4, "b", 0.9, 0.7, 0.5, 3.0);
    Ranking nearer = new Ranking("z", 0.2, "y", 0.6, 0.8, 0.6, 2.0);
    LabelDecision.Decision d = decision.unlabelled(unlabelled(), seen, verdict, prototype("a", 5, 0), nearer);
    assertEquals(Prediction.Status.ZERO_SHOT, d.prediction().status());
    assertEquals("z", d.prediction().className());
    assertEquals(0.8, d.prediction().confidence());
    assertEquals("a", d.prediction().seenClass());
    assertNull(d.contribution(), "a zero-shot prediction never moves a prototype");
    assertEquals(9.0, d.anomaly().score(), "still reported as novel for the labelled classes");
    LabelDecision.Decision later = decision.unlabelled(unlabelled().withPrediction(d.prediction()), seen, null,
        prototype("a", 5, 0), nearer);
    assertEquals(Prediction.Status.ZERO_SHOT, later.prediction().status(), "the flag survives relabel rounds");

    Ranking farther = new Ranking("z", 0.5, "y", 0.6, 0.8, 0.6, 2.0);
    LabelDecision.Decision kept = decision.unlabelled(unlabelled(), seen, verdict, prototype("a", 5, 0), farther);
    assertEquals(Prediction.Status.ANOMALY, kept.prediction().status(), "nearer to a labelled class: no zero-shot");
    assertEquals("a", kept.prediction().className());
    assertEquals("z", kept.prediction().zeroShotClass());

    LabelDecision.Decision familiar = decision.unlabelled(unlabelled(), seen, null, prototype("a", 5, 0), nearer);
    assertTrue(familiar.prediction().status() != Prediction.Status.ZERO_SHOT, "not flagged: its labelled class");
    assertEquals("a", familiar.prediction().className());
  }
}
