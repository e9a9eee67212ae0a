package io.semistream.learning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.semistream.config.DistanceMetric;
import java.util.Arrays;

/**
 * {@link PrototypeClassifier#rankAll} on the PyTorch engine: per batch one matrix multiply whose output already is
 * the softmax's input (the prototypes are stored pre-normalised, the queries are scaled by {@code 1 / (|q| scale
 * temperature)}), then PyTorch's fused log-softmax and a top-2 over the {@code batch x classes} matrix; no
 * per-class Java loop runs. Why: at 10,000 classes the Java path spends most of its time in one {@code exp} per
 * class per image, and every extra element-wise pass over a 10,000-wide matrix costs about as much as the matrix
 * multiply (measured). The two winners' distances are then recomputed exactly in double precision.
 *
 * <p>With {@code novelty} the nearest Euclidean distance (the anomaly score's part) comes from a second, augmented
 * multiply ({@code [q, 1] . [-2 P; |p|^2]}) and a row minimum; a relabel round does not need it (an image is
 * scored for novelty once, on arrival). Cosine metric only: a Euclidean index is ranked by the Java path.
 *
 * <p>Single precision for the softmax: confidence and margin agree with the Java path to about 1e-6, and two
 * classes closer than that may swap places. Holds the prototypes on the engine while open; one instance per
 * prototype refresh, one thread at a time.
 */
public final class TorchRanking implements AutoCloseable {
  /**
   * Images per engine call (measured at 10,000 classes: 128: 14,300 img/s, 256: 18,600, 512: 19,300, 1,024: slower
   * again, its 40 MB intermediates no longer fit a cache; 256 keeps them at 10 MB).
   */
  static final int BATCH = 256;
  private final PrototypeIndex index;
  private final PrototypeClassifier classifier;
  private final boolean novelty;
  private final double inverseScaleTemperature;
  private final NDManager manager;
  private final NDArray normalisedT;
  private final NDArray augmentedT;

  TorchRanking(NDManager parent, PrototypeIndex index, PrototypeClassifier classifier, boolean novelty) {
    if (classifier.metric() != DistanceMetric.COSINE) {
      throw new IllegalArgumentException("the engine ranking is for the cosine metric, not " + classifier.metric());
    }
    this.index = index;
    this.classifier = classifier;
    this.novelty = novelty;
    this.inverseScaleTemperature = 1 / (index.scale() * classifier.temperature());
    this.manager = parent.newSubManager();
    int k = index.size();
    int d = index.dimension();
    float[] columns = index.transposedFloats();
    float[] normalised = new float[d * k];
    for (int j = 0; j < d; j++) {
      for (int i = 0; i < k; i++) {
        normalised[j * k + i] = (float) (columns[j * k + i] * index.inverseNorm(i));
      }
    }
    this.normalisedT = manager.create(normalised, new Shape(d, k));
    if (novelty) {
      float[] augmented = new float[(d + 1) * k];
      for (int i = 0; i < d * k; i++) {
        augmented[i] = -2 * columns[i];
      }
      for (int i = 0; i < k; i++) {
        augmented[d * k + i] = (float) index.squaredNorm(i);
      }
      this.augmentedT = manager.create(augmented, new Shape(d + 1, k));
    } else {
      this.augmentedT = null;
    }
  }

  /**
   * The rankings of {@code embeddings} (each of the index's dimension), as {@link PrototypeClassifier#rankAll},
   * computed {@link #BATCH} at a time; without {@code novelty} each ranking's {@code nearestEuclidean} is NaN.
   */
  public Ranking[] rankAll(float[][] embeddings) {
    Ranking[] out = new Ranking[embeddings.length];
    for (int start = 0; start < embeddings.length; start += BATCH) {
      int end = Math.min(embeddings.length, start + BATCH);
      System.arraycopy(rankBatch(Arrays.copyOfRange(embeddings, start, end)), 0, out, start, end - start);
    }
    return out;
  }

  private Ranking[] rankBatch(float[][] batch) {
    int b = batch.length;
    int d = index.dimension();
    int k = index.size();
    float[] scaled = new float[b * d];
    double[] squaredNorms = new double[b];
    for (int n = 0; n < b; n++) {
      float[] v = batch[n];
      if (v.length != d) {
        throw new IllegalArgumentException("dimension " + v.length + " vs prototypes " + d);
      }
      double vv = 0;
      for (float x : v) {
        vv += (double) x * x;
      }
      squaredNorms[n] = vv;
      // A zero query scores 0 against every class: distance 1 everywhere, as in the Java path.
      double factor = vv > 0 ? inverseScaleTemperature / Math.sqrt(vv) : 0;
      for (int j = 0; j < d; j++) {
        scaled[n * d + j] = (float) (v[j] * factor);
      }
    }
    int nearest = Math.min(2, k);
    try (NDManager scope = manager.newSubManager()) {
      NDArray logits = scope.create(scaled, new Shape(b, d)).matMul(normalisedT);        // -d / (scale T) + const
      NDList top = logits.logSoftmax(1).topK(nearest, 1, true, true);
      float[] logProbabilities = top.get(0).toFloatArray();
      long[] classes = top.get(1).toType(DataType.INT64, false).toLongArray();
      float[] nearestSquared = null;
      if (novelty) {
        float[] augmented = new float[b * (d + 1)];
        for (int n = 0; n < b; n++) {
          System.arraycopy(batch[n], 0, augmented, n * (d + 1), d);
          augmented[n * (d + 1) + d] = 1;
        }
        nearestSquared = scope.create(augmented, new Shape(b, d + 1)).matMul(augmentedT).min(new int[] {1})
            .toFloatArray();                                                              // min |p|^2 - 2 q.p
      }
      Ranking[] out = new Ranking[b];
      for (int n = 0; n < b; n++) {
        int best = (int) classes[n * nearest];
        double confidence = Math.exp(logProbabilities[n * nearest]);
        String runnerUp = null;
        double secondDistance = Double.NaN;
        double margin = 0;
        if (nearest == 2) {
          int second = (int) classes[n * nearest + 1];
          runnerUp = index.className(second);
          secondDistance = classifier.distance(batch[n], squaredNorms[n], index, second);
          margin = Math.max(0, confidence - Math.exp(logProbabilities[n * nearest + 1]));
        }
        double euclidean = novelty ? Math.sqrt(Math.max(0, squaredNorms[n] + nearestSquared[n])) : Double.NaN;
        out[n] = new Ranking(index.className(best), classifier.distance(batch[n], squaredNorms[n], index, best),
            runnerUp, secondDistance, confidence, margin, euclidean);
      }
      return out;
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
