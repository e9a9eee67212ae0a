package io.semistream.learning;

import io.semistream.config.DistanceMetric;
import io.semistream.records.Prototype;
import java.util.ArrayList;
import java.util.List;

/**
 * The prototypes one ranking compares against, laid out for the CPU: a dimension-major matrix (all classes' first
 * components, then all second components, ...) so that the dot products of an embedding with every class are a
 * few long, vectorisable multiply-add sweeps instead of one short reduction per class, plus everything a ranking
 * needs that does not depend on the embedding (squared norms, the median spread). Built once per prototype
 * refresh; immutable, so tasks share it.
 */
final class PrototypeIndex {
  /** Classes per block in batched ranking: 512 x 64 dimensions x 8 bytes = 256 KiB, about an L2 cache. */
  static final int BLOCK = 512;
  private final String[] classNames;
  private final int size;
  private final int dimension;
  private final double[] columns;
  private final double[] squaredNorms;
  private final double[] inverseNorms;
  private final double scale;
  /** Per-dimension factors every vector was multiplied by (the novelty index's scaling); null: none. */
  private final double[] scaling;

  private PrototypeIndex(String[] classNames, int dimension, double[] columns, double[] squaredNorms, double scale,
      double[] scaling) {
    this.scaling = scaling;
    this.classNames = classNames;
    this.size = classNames.length;
    this.dimension = dimension;
    this.columns = columns;
    this.squaredNorms = squaredNorms;
    this.inverseNorms = new double[squaredNorms.length];
    for (int i = 0; i < squaredNorms.length; i++) {
      inverseNorms[i] = squaredNorms[i] > 0 ? 1 / Math.sqrt(squaredNorms[i]) : 0;
    }
    this.scale = scale;
  }

  /**
   * @param blended true: the blended vectors; false: the true-label means (classes without labels left out)
   * @return null when no prototype qualifies
   */
  static PrototypeIndex of(List<Prototype> prototypes, boolean blended, DistanceMetric metric) {
    List<Prototype> used = new ArrayList<>(prototypes.size());
    for (Prototype p : prototypes) {
      if (blended || p.labelledVectorView() != null) {
        used.add(p);
      }
    }
    return build(used, p -> vector(p, blended), metric, null);
  }

  /**
   * The true labels' means in the novelty view's space of version {@code noveltyVersion} (classes without one left
   * out): what the anomaly score measures against. Null when no class has one.
   *
   * @param scaled each dimension divided by the classes' pooled within-class standard deviation (see {@link
   *     #pooledScaling}), so that Euclidean distances in the index are diagonal Mahalanobis distances; queries go
   *     through {@link #scaled(float[])} first
   */
  static PrototypeIndex ofNovelty(List<Prototype> prototypes, int noveltyVersion, DistanceMetric metric,
      boolean scaled) {
    List<Prototype> used = new ArrayList<>(prototypes.size());
    for (Prototype p : prototypes) {
      if (p.noveltyVectorView() != null && p.noveltyVersion() == noveltyVersion) {
        used.add(p);
      }
    }
    double[] scaling = scaled ? pooledScaling(used) : null;
    if (scaling == null) {
      return build(used, Prototype::noveltyVectorView, metric, null);
    }
    return build(used, p -> {
      double[] v = p.noveltyVectorView().clone();
      for (int j = 0; j < v.length && j < scaling.length; j++) {
        v[j] *= scaling[j];
      }
      return v;
    }, metric, scaling);
  }

  /** Degrees of freedom' worth of the mean variance that every dimension's variance is shrunk towards. */
  static final double SHRINKAGE_EXAMPLES = 10;

  /**
   * Per dimension {@code sqrt(mean / sigma_d^2)}: sigma_d^2 the within-class variance pooled over the classes, each
   * weighing its degrees of freedom (examples - 1: a class of one example says nothing about spread), shrunk
   * towards its mean over dimensions by {@link #SHRINKAGE_EXAMPLES} / (dof + that), so that a handful of labels
   * cannot blow one dimension up. Null when no class has two examples, or their variances are all zero.
   * Why: the autoencoder's dimensions differ in scale, and a class unlike any labelled one departs most along
   * the dimensions the labelled classes hardly vary in. Measured offline on the starting encoder's embeddings,
   * 1 % labels, held-out class vs the rest, AUROC plain Euclidean → scaled: Fashion-MNIST class 9 0.908 → 0.917,
   * class 5 0.68 → 0.72, class 0 0.75 → 0.75, class 7 0.71 → 0.72; MNIST 7 0.59 → 0.62, 3 0.64 → 0.65; a full
   * shared covariance gained more on some classes but lost up to 0.26 on others.
   * The scaling re-weights the dimensions and keeps the embedding's own units (the mean of 1 / weight^2 over the
   * dimensions is 1, and no weight exceeds {@code sqrt((dof + 10) / 10)}). The anomaly
   * threshold is a quantile of a window of recent scores, so scores from the first labels' estimate and from a
   * later one must stay comparable. In units of sigma they did not: while the first classes had two or three
   * near-identical labelled images, sigma was tiny and the scores enormous (thresholds of 900,000 against
   * typical scores of 10 in MonitoringIT), and the window nothing new could exceed held them for 2,000 images.
   */
  static double[] pooledScaling(List<Prototype> prototypes) {
    double[] pooled = null;
    double dof = 0;
    for (Prototype p : prototypes) {
      double[] var = p.noveltyVarianceView();
      if (var == null || p.noveltyCount() < 2 || (pooled != null && var.length != pooled.length)) {
        continue;
      }
      if (pooled == null) {
        pooled = new double[var.length];
      }
      // The published variance divides by the count: count * var is the sum of squared deviations.
      for (int j = 0; j < var.length; j++) {
        pooled[j] += p.noveltyCount() * var[j];
      }
      dof += p.noveltyCount() - 1;
    }
    if (pooled == null || dof <= 0) {
      return null;
    }
    double mean = 0;
    for (int j = 0; j < pooled.length; j++) {
      pooled[j] /= dof;
      mean += pooled[j] / pooled.length;
    }
    if (!(mean > 0) || !Double.isFinite(mean)) {
      return null;
    }
    double shrink = SHRINKAGE_EXAMPLES / (dof + SHRINKAGE_EXAMPLES);
    double[] out = new double[pooled.length];
    for (int j = 0; j < pooled.length; j++) {
      out[j] = Math.sqrt(mean / ((1 - shrink) * pooled[j] + shrink * mean));
    }
    return out;
  }

  /** {@code v} in this index's space: multiplied by its per-dimension scaling, or {@code v} itself without one. */
  float[] scaled(float[] v) {
    if (scaling == null) {
      return v;
    }
    if (v.length != scaling.length) {
      throw new IllegalArgumentException("dimension " + v.length + " vs prototypes " + scaling.length);
    }
    float[] out = new float[v.length];
    for (int j = 0; j < v.length; j++) {
      out[j] = (float) (v[j] * scaling[j]);
    }
    return out;
  }

  private static PrototypeIndex build(List<Prototype> used, java.util.function.Function<Prototype, double[]> vectors,
      DistanceMetric metric, double[] scaling) {
    if (used.isEmpty()) {
      return null;
    }
    int k = used.size();
    int d = vectors.apply(used.get(0)).length;
    String[] names = new String[k];
    double[] columns = new double[d * k];
    double[] norms = new double[k];
    double[] spreads = new double[k];
    for (int i = 0; i < k; i++) {
      Prototype p = used.get(i);
      double[] v = vectors.apply(p);
      if (v.length != d) {
        throw new IllegalArgumentException("prototype " + p.className() + " has dimension " + v.length + ", not " + d);
      }
      names[i] = p.className();
      double norm = 0;
      for (int j = 0; j < d; j++) {
        columns[j * k + i] = v[j];
        norm += v[j] * v[j];
      }
      norms[i] = norm;
      spreads[i] = PrototypeClassifier.spreadInMetric(p, metric);
    }
    double scale = PrototypeClassifier.median(spreads);
    return new PrototypeIndex(names, d, columns, norms, scale > 0 ? scale : 1, scaling);
  }

  private static double[] vector(Prototype p, boolean blended) {
    return blended ? p.vectorView() : p.labelledVectorView();
  }

  int size() {
    return size;
  }

  int dimension() {
    return dimension;
  }

  String className(int i) {
    return classNames[i];
  }

  double squaredNorm(int i) {
    return squaredNorms[i];
  }

  /** {@code 1 / |prototype_i|}, 0 for a zero vector: cosine distances without a square root per class. */
  double inverseNorm(int i) {
    return inverseNorms[i];
  }

  /** The spread that makes distances scale-free (the median prototype spread in the metric; 1 when none). */
  double scale() {
    return scale;
  }

  /** The prototypes as a {@code dimension x size} matrix, row-major, in single precision (for an engine). */
  float[] transposedFloats() {
    float[] out = new float[columns.length];
    for (int i = 0; i < columns.length; i++) {
      out[i] = (float) columns[i];
    }
    return out;
  }

  /** {@code v . prototype_i} for one class. */
  double dot(float[] v, int i) {
    double sum = 0;
    for (int j = 0; j < dimension; j++) {
      sum += v[j] * columns[j * size + i];
    }
    return sum;
  }

  /** {@code out[i] = v . prototype_i} for every class, {@code out.length >= size()}. */
  void dots(float[] v, double[] out) {
    dots(v, out, 0, 0, size);
  }

  /**
   * The dot products with classes {@code from} (inclusive) to {@code to} (exclusive), into
   * {@code out[offset + from .. offset + to)}.
   */
  void dots(float[] v, double[] out, int offset, int from, int to) {
    if (v.length != dimension) {
      throw new IllegalArgumentException("dimension " + v.length + " vs prototypes " + dimension);
    }
    sweep(columns, size, dimension, v, out, offset, from, to);
  }

  /**
   * {@code out[offset + i] = v . column i} for {@code i} in {@code [from, to)} of a dimension-major matrix
   * ({@code m[j * k + i]}: dimension {@code j} of vector {@code i} of {@code k}).
   */
  static void sweep(double[] m, int k, int dimension, float[] v, double[] out, int offset, int from, int to) {
    java.util.Arrays.fill(out, offset + from, offset + to, 0.0);
    int j = 0;
    // Four dimensions per sweep: the running sums are loaded and stored a quarter as often (measured 2x faster
    // than one dimension per sweep on this machine's AVX2 cores).
    for (; j + 3 < dimension; j += 4) {
      double x0 = v[j];
      double x1 = v[j + 1];
      double x2 = v[j + 2];
      double x3 = v[j + 3];
      int b0 = j * k;
      int b1 = b0 + k;
      int b2 = b1 + k;
      int b3 = b2 + k;
      for (int i = from; i < to; i++) {
        out[offset + i] += x0 * m[b0 + i] + x1 * m[b1 + i] + x2 * m[b2 + i] + x3 * m[b3 + i];
      }
    }
    for (; j < dimension; j++) {
      double x = v[j];
      int base = j * k;
      for (int i = from; i < to; i++) {
        out[offset + i] += x * m[base + i];
      }
    }
  }
}
