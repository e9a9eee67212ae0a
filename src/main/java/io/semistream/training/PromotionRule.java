package io.semistream.training;

/**
 * When a candidate encoder replaces the serving one: only when it is better on labels it was never trained on
 * (the held-out share of the stream's labels), by at least {@code minGain}. On {@code minHeldOut} or more held-out
 * labels the gain alone decides. On fewer, the gain must also be probable: a data set with 90 labels holds out
 * 14–21, and a rule that waited for 30 never served a trained encoder there (MNIST at 1 %: 66 % with the first
 * encoder, 88–90 % once a candidate is served). The evidence is paired, because both versions answer the same
 * images, and finer than right or wrong: per image, the rank of its true class among the class means. On 10
 * held-out labels "3 more right, none fewer" came once from a better candidate and once from a worse one (the
 * 5-labels-per-class run); how the true class moved on the other images tells them apart. The probability, under
 * a uniform prior, that the candidate ranks the true class higher more often than lower must reach
 * {@code confidence}. A worse or equal candidate is never served.
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
   * @param candidateRanksHigher images whose true class the candidate ranks higher (nearer) than the serving version
   * @param servingRanksHigher images whose true class the serving version ranks higher
   */
  public record Comparison(int heldOut, int candidateCorrect, int servingCorrect, int candidateRanksHigher,
      int servingRanksHigher) {
    public Comparison {
      if (heldOut < 0 || candidateCorrect < 0 || servingCorrect < 0 || candidateRanksHigher < 0
          || servingRanksHigher < 0 || candidateCorrect > heldOut || servingCorrect > heldOut
          || candidateRanksHigher + servingRanksHigher > heldOut
          || candidateCorrect - servingCorrect > candidateRanksHigher
          || servingCorrect - candidateCorrect > servingRanksHigher) {
        throw new IllegalArgumentException("inconsistent comparison: " + heldOut + " held out, " + candidateCorrect
            + "/" + servingCorrect + " right, true class ranked higher on " + candidateRanksHigher + "/"
            + servingRanksHigher);
      }
    }

    /** Per held-out image, the rank of its true class (1: classified right) under the candidate and the serving one. */
    public static Comparison of(int[] candidate, int[] serving) {
      if (candidate.length != serving.length) {
        throw new IllegalArgumentException("both versions must answer the same images");
      }
      int c = 0;
      int s = 0;
      int cHigher = 0;
      int sHigher = 0;
      for (int i = 0; i < candidate.length; i++) {
        if (candidate[i] < 1 || serving[i] < 1) {
          throw new IllegalArgumentException("ranks start at 1");
        }
        c += candidate[i] == 1 ? 1 : 0;
        s += serving[i] == 1 ? 1 : 0;
        cHigher += candidate[i] < serving[i] ? 1 : 0;
        sHigher += serving[i] < candidate[i] ? 1 : 0;
      }
      return new Comparison(candidate.length, c, s, cHigher, sHigher);
    }

    public double candidateAccuracy() {
      return heldOut == 0 ? Double.NaN : candidateCorrect / (double) heldOut;
    }

    public double servingAccuracy() {
      return heldOut == 0 ? Double.NaN : servingCorrect / (double) heldOut;
    }

    /**
     * P(θ > ½) for θ, the share of rank changes in the candidate's favour, with a Beta(1, 1) prior: for integer
     * counts b and c, P(Beta(b + 1, c + 1) > ½) = P(Binomial(b + c + 1, ½) ≤ b).
     */
    public double probabilityCandidateBetter() {
      int b = candidateRanksHigher;
      int n = b + servingRanksHigher + 1;
      // log C(n, k) - n ln 2, summed over k = 0..b in log space: n can be thousands, 2^-n underflows.
      double logC = 0;
      double log2n = n * Math.log(2);
      double max = Double.NEGATIVE_INFINITY;
      double[] terms = new double[b + 1];
      for (int k = 0; k <= b; k++) {
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

  /**
   * @param servingAccuracyUntrained the serving version's accuracy over every label it was never trained on
   *     (leave one out; all labels for the unsupervised first version), or NaN when it was trained on labels. A
   *     small held-out share can be unlucky for the serving version (3 of 10 right against 61 % on the stream in
   *     a 5-labels-per-class run), and any change then looks like a gain: the candidate must also beat this
   *     steadier estimate.
   */
  public boolean promote(Comparison c, double servingAccuracyUntrained) {
    if (c.heldOut() == 0 || c.candidateCorrect() <= c.servingCorrect()) {
      return false;
    }
    if (c.candidateAccuracy() < c.servingAccuracy() + minGain) {
      return false;
    }
    if (Double.isFinite(servingAccuracyUntrained) && c.candidateAccuracy() < servingAccuracyUntrained + minGain) {
      return false;
    }
    return c.heldOut() >= minHeldOut || c.probabilityCandidateBetter() >= confidence;
  }
}
