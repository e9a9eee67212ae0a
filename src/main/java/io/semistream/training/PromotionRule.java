package io.semistream.training;

/**
 * When a candidate encoder replaces the serving one: only when it is better on labels it was never trained on
 * (the held-out share of the stream's labels), by at least {@code minGain}. On {@code minHeldOut} or more held-out
 * labels the gain alone decides. On fewer, the gain must also be probable: a data set with 90 labels holds out
 * 18, and a rule that waited for 30 never served a trained encoder there (MNIST at 1 %: 66 % with the first
 * encoder, 88 % with the first candidate). The evidence is paired, because both versions answer the same images:
 * only the images one gets right and the other wrong tell them apart, and the probability that the candidate is
 * right more often on such images, under a uniform prior, must reach {@code confidence}. A worse or equal
 * candidate is never served.
 */
public record PromotionRule(double minGain, int minHeldOut, double confidence) {
  public PromotionRule {
    if (!(minGain >= 0) || minHeldOut < 1 || !(confidence >= 0.5 && confidence < 1)) {
      throw new IllegalArgumentException("minGain must be >= 0, minHeldOut >= 1 and confidence in [0.5, 1)");
    }
  }

  /**
   * Both versions judged on the same held-out labels.
   *
   * @param candidateOnly images the candidate classifies right and the serving version wrong
   * @param servingOnly images the serving version classifies right and the candidate wrong
   */
  public record Comparison(int heldOut, int candidateCorrect, int servingCorrect, int candidateOnly,
      int servingOnly) {
    public Comparison {
      if (heldOut < 0 || candidateCorrect < 0 || servingCorrect < 0 || candidateOnly < 0 || servingOnly < 0
          || candidateCorrect > heldOut || servingCorrect > heldOut || candidateOnly > candidateCorrect
          || servingOnly > servingCorrect || candidateCorrect - candidateOnly != servingCorrect - servingOnly) {
        throw new IllegalArgumentException("inconsistent comparison: " + heldOut + " held out, " + candidateCorrect
            + "/" + servingCorrect + " correct, " + candidateOnly + "/" + servingOnly + " only one right");
      }
    }

    /** Per held-out image: whether the candidate and the serving version classify it right. */
    public static Comparison of(boolean[] candidate, boolean[] serving) {
      if (candidate.length != serving.length) {
        throw new IllegalArgumentException("both versions must answer the same images");
      }
      int c = 0;
      int s = 0;
      int cOnly = 0;
      int sOnly = 0;
      for (int i = 0; i < candidate.length; i++) {
        c += candidate[i] ? 1 : 0;
        s += serving[i] ? 1 : 0;
        cOnly += candidate[i] && !serving[i] ? 1 : 0;
        sOnly += serving[i] && !candidate[i] ? 1 : 0;
      }
      return new Comparison(candidate.length, c, s, cOnly, sOnly);
    }

    public double candidateAccuracy() {
      return heldOut == 0 ? Double.NaN : candidateCorrect / (double) heldOut;
    }

    public double servingAccuracy() {
      return heldOut == 0 ? Double.NaN : servingCorrect / (double) heldOut;
    }

    /**
     * P(θ > ½) for θ, the share of disagreements the candidate wins, with a Beta(1, 1) prior: for integer counts
     * b and c, P(Beta(b + 1, c + 1) > ½) = P(Binomial(b + c + 1, ½) ≤ b).
     */
    public double probabilityCandidateBetter() {
      int n = candidateOnly + servingOnly + 1;
      // log C(n, k) - n ln 2, summed over k = 0..b in log space: n can be thousands, 2^-n underflows.
      double logC = 0;
      double log2n = n * Math.log(2);
      double max = Double.NEGATIVE_INFINITY;
      double[] terms = new double[candidateOnly + 1];
      for (int k = 0; k <= candidateOnly; k++) {
        if (k > 0) {
          logC += Math.log(n - k + 1) - Math.log(k);
        }
        terms[k] = logC - log2n;
        max = Math.max(max, terms[k]);
      }
      double sum = 0;
      for (double t : terms) {
        sum += Math.exp(t - max);
      }
      return Math.min(1, Math.exp(max + Math.log(sum)));
    }
  }

  public boolean promote(Comparison c) {
    if (c.heldOut() == 0 || c.candidateCorrect() <= c.servingCorrect()) {
      return false;
    }
    if (c.candidateAccuracy() < c.servingAccuracy() + minGain) {
      return false;
    }
    return c.heldOut() >= minHeldOut || c.probabilityCandidateBetter() >= confidence;
  }
}
