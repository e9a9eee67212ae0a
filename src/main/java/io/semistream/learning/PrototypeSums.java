package io.semistream.learning;

import io.semistream.records.Prototype;
import io.semistream.records.PrototypeDelta;

/**
 * The exact running sums behind one prototype (the aggregator's store value): labelled and pseudo parts kept
 * apart so the published prototype can say how much of it rests on true labels.
 */
public record PrototypeSums(
    String className, double[] labelledSum, long labelledCount, double labelledSquares, double[] pseudoSum,
    double pseudoWeight, double pseudoSquares, long version, String modelId, int modelVersion) {

  static PrototypeSums empty(String className, int dim) {
    return new PrototypeSums(className, new double[dim], 0, 0, new double[dim], 0, 0, 0, "", 1);
  }

  /**
   * Encoder versions are never mixed in one sum: the first delta of a newer version retires this version's sums
   * (its members leave as their images are re-embedded) and starts the new version's; deltas of an older version
   * than the sums' are stale and change nothing.
   */
  PrototypeSums applyVersioned(PrototypeDelta d) {
    if (!isEmpty() && d.modelVersion() < modelVersion) {
      return this;
    }
    if (!isEmpty() && d.modelVersion() > modelVersion) {
      if (d.weight() < 0) {
        return this;
      }
      return empty(className, labelledSum.length).apply(d);
    }
    return apply(d);
  }

  PrototypeSums apply(PrototypeDelta d) {
    float[] v = d.embedding();
    if (v.length != labelledSum.length) {
      throw new IllegalArgumentException("delta of dimension " + v.length + " for a prototype of dimension "
          + labelledSum.length);
    }
    double[] target = (d.pseudo() ? pseudoSum : labelledSum).clone();
    double squares = 0;
    for (int i = 0; i < v.length; i++) {
      target[i] += d.weight() * v[i];
      squares += (double) v[i] * v[i];
    }
    squares *= d.weight();
    if (d.pseudo()) {
      double w = snap(pseudoWeight + d.weight());
      return new PrototypeSums(className, labelledSum, labelledCount, labelledSquares, w == 0 ? new double[v.length]
          : target, w, w == 0 ? 0 : pseudoSquares + squares, version + 1, d.modelId(), d.modelVersion());
    }
    long n = labelledCount + Math.round(d.weight());
    // When the last example leaves, reset to exact zeros: no rounding residue survives an empty class.
    return new PrototypeSums(className, n == 0 ? new double[v.length] : target, n,
        n == 0 ? 0 : labelledSquares + squares, pseudoSum, pseudoWeight, pseudoSquares, version + 1, d.modelId(),
        d.modelVersion());
  }

  private static double snap(double w) {
    return Math.abs(w) < 1e-9 ? 0 : w;
  }

  /** No example left at all: the sums can go. */
  boolean isEmpty() {
    return labelledCount == 0 && pseudoWeight == 0;
  }

  /**
   * The published prototype, or null when no weight is left. The pseudo part counts at most
   * {@code maxPseudoRatio} × the true-label count: when more arrived, it is scaled down to exactly the cap.
   */
  Prototype toPrototype(long now, double maxPseudoRatio) {
    double effectivePseudo = Math.min(pseudoWeight, maxPseudoRatio * labelledCount);
    double scale = pseudoWeight > 0 ? effectivePseudo / pseudoWeight : 0;
    double total = labelledCount + effectivePseudo;
    if (total <= 0) {
      return null;
    }
    double[] mean = new double[labelledSum.length];
    double meanSquares = 0;
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (labelledSum[i] + scale * pseudoSum[i]) / total;
      meanSquares += mean[i] * mean[i];
    }
    double spread = Math.sqrt(Math.max(0, (labelledSquares + scale * pseudoSquares) / total - meanSquares));
    double[] labelledMean = null;
    if (labelledCount > 0) {
      labelledMean = new double[labelledSum.length];
      for (int i = 0; i < labelledMean.length; i++) {
        labelledMean[i] = labelledSum[i] / labelledCount;
      }
    }
    return new Prototype(className, mean, total, spread, version, now, modelId, modelVersion, labelledCount,
        effectivePseudo, labelledMean);
  }
}
