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

  DistanceMetric metric() {
    return metric;
  }

  double temperature() {
    return temperature;
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

  /** The same ranking as {@link #rank(float[], Collection, boolean)} against a prebuilt index; null without one. */
  public Ranking rank(float[] v, PrototypeIndex index) {
    if (index == null) {
      return null;
    }
    double[] dots = SCRATCH.get().dots(index.size());
    index.dots(v, dots);
    return fromDots(v, index, dots, 0);
  }

  /**
   * The Euclidean distance from {@code v} to the nearest vector of {@code index} (the same as {@link
   * #rank(float[], PrototypeIndex)}'s {@code nearestEuclidean}, without the softmax the anomaly score does not
   * need); NaN without an index.
   */
  public double nearestEuclidean(float[] v, PrototypeIndex index) {
    if (index == null) {
      return Double.NaN;
    }
    double[] dots = SCRATCH.get().dots(index.size());
    index.dots(v, dots);
    double vv = 0;
    for (float x : v) {
      vv += (double) x * x;
    }
    double nearest = Double.POSITIVE_INFINITY;
    for (int i = 0; i < index.size(); i++) {
      nearest = Math.min(nearest, Math.max(0, vv - 2 * dots[i] + index.squaredNorm(i)));
    }
    return Math.sqrt(nearest);
  }

  /**
   * Rankings of many embeddings at once (a relabel round, a benchmark): the classes are swept in cache-sized
   * blocks, each block serving every embedding before the next is read, so the prototype matrix streams from
   * memory once per batch instead of once per embedding.
   */
  public Ranking[] rankAll(float[][] vs, PrototypeIndex index) {
    Ranking[] out = new Ranking[vs.length];
    if (index == null) {
      return out;
    }
    int k = index.size();
    double[] dots = new double[vs.length * k];
    for (int from = 0; from < k; from += PrototypeIndex.BLOCK) {
      int to = Math.min(k, from + PrototypeIndex.BLOCK);
      for (int b = 0; b < vs.length; b++) {
        index.dots(vs[b], dots, b * k, from, to);
      }
    }
    return rankAll(vs, index, dots);
  }

  /** Rankings from dot products computed elsewhere ({@code dots[b * size + i] = vs[b] . prototype_i}). */
  Ranking[] rankAll(float[][] vs, PrototypeIndex index, double[] dots) {
    Ranking[] out = new Ranking[vs.length];
    for (int b = 0; b < vs.length; b++) {
      out[b] = fromDots(vs[b], index, dots, b * index.size());
    }
    return out;
  }

  PrototypeIndex index(java.util.List<Prototype> prototypes, boolean blended) {
    return PrototypeIndex.of(prototypes, blended, metric);
  }

  /** The distance of {@code v} ({@code vv = |v|^2}) to class {@code i} of {@code index}, as {@link #fromDots} has it. */
  double distance(float[] v, double vv, PrototypeIndex index, int i) {
    double dot = index.dot(v, i);
    return distanceFromDot(dot, Math.max(0, vv - 2 * dot + index.squaredNorm(i)), inverse(vv), index.inverseNorm(i));
  }

  /** One class's distance from its dot product with {@code v}; cosine: 1 when either vector is zero. */
  private double distanceFromDot(double dot, double squaredEuclidean, double inverseV, double inverseP) {
    if (metric == DistanceMetric.EUCLIDEAN) {
      return Math.sqrt(squaredEuclidean);
    }
    return inverseV == 0 || inverseP == 0 ? 1 : 1 - dot * inverseV * inverseP;
  }

  /** {@code 1 / sqrt(vv)}, 0 for a zero vector. */
  private static double inverse(double vv) {
    return vv > 0 ? 1 / Math.sqrt(vv) : 0;
  }

  /** Distances from the dot products ({@code |v - p|^2 = |v|^2 - 2 v.p + |p|^2}), then the usual softmax. */
  private Ranking fromDots(float[] v, PrototypeIndex index, double[] dots, int offset) {
    double vv = 0;
    for (float x : v) {
      vv += (double) x * x;
    }
    int k = index.size();
    int best = 0;
    int second = -1;
    double[] d = SCRATCH.get().distances(k);
    double nearestSquared = Double.POSITIVE_INFINITY;
    double inverseV = inverse(vv);
    for (int i = 0; i < k; i++) {
      double dot = dots[offset + i];
      double squared = Math.max(0, vv - 2 * dot + index.squaredNorm(i));
      nearestSquared = Math.min(nearestSquared, squared);
      d[i] = distanceFromDot(dot, squared, inverseV, index.inverseNorm(i));
      if (d[i] < d[best]) {
        second = best;
        best = i;
      } else if (i != best && (second < 0 || d[i] < d[second])) {
        second = i;
      }
    }
    double scale = index.scale();
    double sum = 0;
    double pBest = 0;
    double pSecond = 0;
    for (int i = 0; i < k; i++) {
      double p = Math.exp(-(d[i] - d[best]) / scale / temperature);
      sum += p;
      if (i == best) {
        pBest = p;
      } else if (i == second) {
        pSecond = p;
      }
    }
    double confidence = pBest / sum;
    double margin = second < 0 ? 0 : confidence - pSecond / sum;
    return new Ranking(index.className(best), d[best], second < 0 ? null : index.className(second),
        second < 0 ? Double.NaN : d[second], confidence, Math.max(0, margin), Math.sqrt(nearestSquared));
  }

  /** Per-thread working arrays: ranking at 10,000 classes would otherwise allocate 160 KB per record. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final class Scratch {
    private double[] dots = new double[0];
    private double[] distances = new double[0];

    double[] dots(int n) {
      if (dots.length < n) {
        dots = new double[n];
      }
      return dots;
    }

    double[] distances(int n) {
      if (distances.length < n) {
        distances = new double[n];
      }
      return distances;
    }
  }

  private static double[] vectorOf(Prototype p, boolean blended) {
    return blended ? p.vectorView() : p.labelledVectorView();
  }

  private double spreadInMetric(Prototype p) {
    return spreadInMetric(p, metric);
  }

  /** Spread is stored as a Euclidean RMS; for cosine use its ratio to the prototype's norm. */
  static double spreadInMetric(Prototype p, DistanceMetric metric) {
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
