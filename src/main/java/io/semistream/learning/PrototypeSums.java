package io.semistream.learning;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.semistream.records.Prototype;
import io.semistream.records.PrototypeDelta;

/**
 * The exact running sums behind one prototype (the aggregator's store value): labelled and pseudo parts kept
 * apart so the published prototype can say how much of it rests on true labels.
 *
 * <p>Why fixed point: the sums are kept in units of 2^-30 in longs, each contribution rounded once (the same
 * way whoever adds it), so addition is exact and order-free. Deltas of one class arrive from many image-learner
 * tasks in an order that depends on timing; floating-point sums would then differ in their last bits between
 * two runs, or before and after a crash, while these are bit-identical for the same set of members and an exact
 * removal leaves no residue. The rounding (below 1e-9 per value) is far below any distance that matters.
 */
public record PrototypeSums(
    String className, long[] labelledSum, long labelledCount, long labelledSquares, long[] pseudoSum,
    long pseudoWeightUnits, long pseudoSquares, long version, String modelId, int modelVersion,
    long[] noveltySum, @JsonSetter(nulls = Nulls.AS_EMPTY) long noveltyCount,
    @JsonSetter(nulls = Nulls.AS_EMPTY) int noveltyVersion, long[] noveltySquares) {
  /** Fixed-point units per 1.0. */
  static final double UNIT = 0x1p30;

  public PrototypeSums {
    // Sums stored before the novelty view existed have none.
    noveltySum = noveltySum == null ? new long[labelledSum.length] : noveltySum;
    // Sums stored before the per-dimension squares existed: unknown (null) while they hold novelty members, so
    // that no variance is published from a partial sum; known again once the last member left.
    noveltySquares = noveltySquares == null && noveltyCount == 0 ? new long[labelledSum.length] : noveltySquares;
  }

  static PrototypeSums empty(String className, int dim) {
    return new PrototypeSums(className, new long[dim], 0, 0, new long[dim], 0, 0, 0, "", 1, new long[dim], 0, 0,
        new long[dim]);
  }

  /** The total pseudo-label weight held (not capped). */
  @JsonIgnore
  double pseudoWeight() {
    return pseudoWeightUnits / UNIT;
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

  /**
   * @throws ArithmeticException when a sum would leave the fixed-point range (values far beyond any embedding)
   */
  PrototypeSums apply(PrototypeDelta d) {
    float[] v = d.embedding();
    if (v.length != labelledSum.length) {
      throw new IllegalArgumentException("delta of dimension " + v.length + " for a prototype of dimension "
          + labelledSum.length);
    }
    // The magnitude is rounded, then signed: an addition and the removal of the same member cancel exactly.
    double magnitude = Math.abs(d.weight());
    long sign = d.weight() < 0 ? -1 : 1;
    long[] target = (d.pseudo() ? pseudoSum : labelledSum).clone();
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      target[i] = Math.addExact(target[i], sign * units(magnitude * v[i]));
      norm += (double) v[i] * v[i];
    }
    long squares = sign * units(magnitude * norm);
    if (d.pseudo()) {
      long w = Math.addExact(pseudoWeightUnits, sign * units(magnitude));
      return new PrototypeSums(className, labelledSum, labelledCount, labelledSquares, w == 0 ? new long[v.length]
          : target, w, w == 0 ? 0 : Math.addExact(pseudoSquares, squares), version + 1, d.modelId(),
          d.modelVersion(), noveltySum, noveltyCount, noveltyVersion, noveltySquares);
    }
    long n = labelledCount + sign;
    long[] novelty = noveltySum;
    long[] noveltySq = noveltySquares;
    long m = noveltyCount;
    int mVersion = noveltyVersion;
    // The novelty mean holds the true labels that carried a view of one version: the first such label sets it; a
    // view of another version (the setting changed mid-stream) neither adds nor removes.
    if (d.noveltyVersion() != 0 && (d.noveltyVersion() == noveltyVersion || (noveltyCount == 0 && sign > 0))
        && noveltyCount + sign >= 0) {
      float[] u = d.novelty();
      novelty = noveltySum.clone();
      noveltySq = noveltySquares == null ? null : noveltySquares.clone();
      for (int i = 0; i < u.length; i++) {
        novelty[i] = Math.addExact(novelty[i], sign * units(magnitude * u[i]));
        if (noveltySq != null) {
          noveltySq[i] = Math.addExact(noveltySq[i], sign * units(magnitude * u[i] * u[i]));
        }
      }
      m = noveltyCount + sign;
      mVersion = m == 0 ? 0 : d.noveltyVersion();
      novelty = m == 0 ? new long[u.length] : novelty;
      noveltySq = m == 0 ? new long[u.length] : noveltySq;
    }
    return new PrototypeSums(className, n == 0 ? new long[v.length] : target, n,
        n == 0 ? 0 : Math.addExact(labelledSquares, squares), pseudoSum, pseudoWeightUnits, pseudoSquares,
        version + 1, d.modelId(), d.modelVersion(), novelty, m, mVersion, noveltySq);
  }

  private static long units(double x) {
    double scaled = Math.rint(x * UNIT);
    if (!(Math.abs(scaled) < 0x1p62)) {
      throw new ArithmeticException("value " + x + " is out of the prototype sums' range");
    }
    return (long) scaled;
  }

  /** No example left at all: the sums can go. */
  boolean isEmpty() {
    return labelledCount == 0 && pseudoWeightUnits == 0;
  }

  /**
   * The published prototype, or null when no weight is left. The pseudo part counts at most
   * {@code maxPseudoRatio} × the true-label count: when more arrived, it is scaled down to exactly the cap.
   */
  Prototype toPrototype(long now, double maxPseudoRatio) {
    double pseudoWeight = pseudoWeight();
    double effectivePseudo = Math.min(pseudoWeight, maxPseudoRatio * labelledCount);
    double scale = pseudoWeight > 0 ? effectivePseudo / pseudoWeight : 0;
    double total = labelledCount + effectivePseudo;
    if (total <= 0) {
      return null;
    }
    double[] mean = new double[labelledSum.length];
    double meanSquares = 0;
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (labelledSum[i] / UNIT + scale * (pseudoSum[i] / UNIT)) / total;
      meanSquares += mean[i] * mean[i];
    }
    double spread = Math.sqrt(Math.max(0,
        (labelledSquares / UNIT + scale * (pseudoSquares / UNIT)) / total - meanSquares));
    double[] labelledMean = null;
    if (labelledCount > 0) {
      labelledMean = new double[labelledSum.length];
      for (int i = 0; i < labelledMean.length; i++) {
        labelledMean[i] = labelledSum[i] / UNIT / labelledCount;
      }
    }
    double[] noveltyMean = null;
    double[] noveltyVariance = null;
    if (noveltyCount > 0) {
      noveltyMean = new double[noveltySum.length];
      noveltyVariance = noveltySquares == null ? null : new double[noveltySum.length];
      for (int i = 0; i < noveltyMean.length; i++) {
        noveltyMean[i] = noveltySum[i] / UNIT / noveltyCount;
        if (noveltyVariance != null) {
          noveltyVariance[i] = Math.max(0, noveltySquares[i] / UNIT / noveltyCount - noveltyMean[i] * noveltyMean[i]);
        }
      }
    }
    return new Prototype(className, mean, total, spread, version, now, modelId, modelVersion, labelledCount,
        effectivePseudo, labelledMean, noveltyMean == null ? 0 : noveltyVersion, noveltyMean, noveltyVariance,
        noveltyCount);
  }
}
