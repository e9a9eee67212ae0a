package io.semistream.training;

/**
 * When a candidate encoder replaces the serving one: only when it is better on labels it was never trained on
 * (the held-out share of the stream's labels), by at least {@code minGain}, measured on at least
 * {@code minHeldOut} of them. A worse or equal candidate is never served.
 */
public record PromotionRule(double minGain, int minHeldOut) {
  public PromotionRule {
    if (minGain < 0 || minHeldOut < 1) {
      throw new IllegalArgumentException("minGain must be >= 0 and minHeldOut >= 1");
    }
  }

  /** Accuracies in [0, 1] of candidate and serving version on the same {@code heldOut} labels. */
  public boolean promote(double candidateAccuracy, double servingAccuracy, int heldOut) {
    if (heldOut < minHeldOut || !Double.isFinite(candidateAccuracy)) {
      return false;
    }
    if (!Double.isFinite(servingAccuracy)) {
      return true;
    }
    return candidateAccuracy > servingAccuracy && candidateAccuracy >= servingAccuracy + minGain;
  }
}
