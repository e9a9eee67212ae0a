package io.semistream.learning;

import io.semistream.config.DistanceMetric;

import io.semistream.records.Prototype;

import java.util.Collection;
import java.util.List;

/**
 * Nearest-prototype classification with a calibrated confidence: a softmax over negative distances, where
 * distances are first divided by the median prototype spread so that the temperature does not depend on the
 * embedding's scale.
 */
public final class PrototypeClassifier {
  private final DistanceMetric metric;
  private final double temperature;

  public PrototypeClassifier(DistanceMetric metric, double temperature) {
    if (metric == null || !(temperature > 0)) {
      throw new IllegalArgumentException("a metric and a positive temperature are required");
    }
    this.metric = metric;
    this.temperature = temperature;
  }

  /** Against the blended prototypes (labels and pseudo-labels); null when there is no prototype. */
  public Ranking rank(float[] v, Collection<Prototype> prototypes) {
    return rank(v, prototypes, true);
  }

  /**
   * @param blended true: the blended vectors; false: the true-label means only (classes without labels skipped)
   */
  public Ranking rank(float[] v, Collection<Prototype> prototypes, boolean blended) {
    List<Prototype> list = blended ? (prototypes instanceof List<Prototype> l ? l : List.copyOf(prototypes))
        : prototypes.stream().filter(p -> p.labelledVectorView() != null).toList();
    if (list.isEmpty()) {
      return null;
    }
    double[] d = new double[list.size()];
    double[] spreads = new double[list.size()];
    int best = 0;
    int second = -1;
    for (int i = 0; i < d.length; i++) {
      d[i] = distance(v, vectorOf(list.get(i), blended));
      spreads[i] = spreadInMetric(list.get(i));
      if (d[i] < d[best]) {
        second = best;
        best = i;
      } else if (i != best && (second < 0 || d[i] < d[second])) {
        second = i;
      }
    }
    double scale = median(spreads);
    if (!(scale > 0)) {
      scale = 1;
    }
    double sum = 0;
    double[] p = new double[d.length];
    for (int i = 0; i < d.length; i++) {
      p[i] = Math.exp(-(d[i] - d[best]) / scale / temperature);
      sum += p[i];
    }
    double confidence = p[best] / sum;
    // With a single class there is no runner-up and so no evidence: margin 0 keeps it from pseudo-labelling.
    double margin = second < 0 ? 0 : confidence - p[second] / sum;
    double nearestEuclidean = Double.POSITIVE_INFINITY;
    for (Prototype prototype : list) {
      nearestEuclidean = Math.min(nearestEuclidean, euclidean(v, vectorOf(prototype, blended)));
    }
    return new Ranking(list.get(best).className(), d[best], second < 0 ? null : list.get(second).className(),
        second < 0 ? Double.NaN : d[second], confidence, Math.max(0, margin), nearestEuclidean);
  }

  private static double[] vectorOf(Prototype p, boolean blended) {
    return blended ? p.vectorView() : p.labelledVectorView();
  }

  /** Spread is stored as a Euclidean RMS; for cosine use its ratio to the prototype's norm. */
  private double spreadInMetric(Prototype p) {
    if (metric == DistanceMetric.EUCLIDEAN) {
      return p.spread();
    }
    double norm = 0;
    for (double x : p.vectorView()) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    return norm > 0 ? p.spread() / norm : 0;
  }

  public static double euclidean(float[] v, double[] prototype) {
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      double diff = v[i] - prototype[i];
      s += diff * diff;
    }
    return Math.sqrt(s);
  }

  public double distance(float[] v, double[] prototype) {
    if (v.length != prototype.length) {
      throw new IllegalArgumentException("dimension " + v.length + " vs prototype " + prototype.length);
    }
    return metric == DistanceMetric.EUCLIDEAN ? euclidean(v, prototype) : cosineDistance(v, prototype);
  }

  /** 1 - cosine similarity; 1 when either vector is zero. */
  public static double cosineDistance(float[] v, double[] prototype) {
    double dot = 0;
    double nv = 0;
    double np = 0;
    for (int i = 0; i < v.length; i++) {
      dot += v[i] * prototype[i];
      nv += (double) v[i] * v[i];
      np += prototype[i] * prototype[i];
    }
    return nv == 0 || np == 0 ? 1 : 1 - dot / Math.sqrt(nv * np);
  }

  static double median(double[] values) {
    double[] copy = values.clone();
    java.util.Arrays.sort(copy);
    int n = copy.length;
    return n == 0 ? 0 : (n % 2 == 1 ? copy[n / 2] : (copy[n / 2 - 1] + copy[n / 2]) / 2);
  }
}
