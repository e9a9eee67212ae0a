package io.semistream.evaluation;

import io.semistream.learning.PrototypeClassifier;
import java.util.Arrays;

/** Pure metric functions used by the prequential evaluation. */
public final class Metrics {
  private Metrics() {
  }

  /**
   * Area under the ROC curve: the probability that a random positive scores higher than a random negative
   * (ties count half), computed from ranks in O(n log n).
   */
  public static double auroc(double[] scores, boolean[] positive) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    double rankSumPositives = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double averageRank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (positive[order[k]]) {
          rankSumPositives += averageRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSumPositives - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Value at quantile q (0..1) of the values, nearest rank. */
  public static double percentile(long[] values, double q) {
    if (values.length == 0) {
      return Double.NaN;
    }
    long[] copy = values.clone();
    Arrays.sort(copy);
    int index = (int) Math.min(copy.length - 1, Math.max(0, Math.ceil(q * copy.length) - 1));
    return copy[index];
  }

  /** Nearest class mean classifier over float vectors: returns the predicted class index per query. */
  public static int[] nearestMean(float[][] train, int[] trainLabels, int classes, float[][] queries,
      boolean cosine) {
    return nearestMeanWithDistance(train, trainLabels, classes, queries, cosine, new double[queries.length]);
  }

  /**
   * {@link #nearestMean}, also writing each query's distance to its nearest mean into {@code distances} (the
   * novelty score the learner uses).
   */
  public static int[] nearestMeanWithDistance(float[][] train, int[] trainLabels, int classes, float[][] queries,
      boolean cosine, double[] distances) {
    int dim = train[0].length;
    double[][] means = new double[classes][dim];
    int[] counts = new int[classes];
    for (int i = 0; i < train.length; i++) {
      counts[trainLabels[i]]++;
      for (int d = 0; d < dim; d++) {
        means[trainLabels[i]][d] += train[i][d];
      }
    }
    for (int c = 0; c < classes; c++) {
      for (int d = 0; d < dim && counts[c] > 0; d++) {
        means[c][d] /= counts[c];
      }
    }
    int[] out = new int[queries.length];
    for (int q = 0; q < queries.length; q++) {
      double best = Double.POSITIVE_INFINITY;
      int arg = -1;
      for (int c = 0; c < classes; c++) {
        if (counts[c] == 0) {
          continue;
        }
        double dist = cosine ? PrototypeClassifier.cosineDistance(queries[q], means[c])
            : PrototypeClassifier.euclidean(queries[q], means[c]);
        if (dist < best) {
          best = dist;
          arg = c;
        }
      }
      out[q] = arg;
      distances[q] = best;
    }
    return out;
  }

  /**
   * k-nearest-neighbour vote by cosine distance over labelled vectors (each neighbour weighs 1 / (distance + 1e-6),
   * ties to the nearer class): the rule that uses labels as exemplars rather than as one mean per class.
   */
  public static int[] nearestNeighbours(float[][] train, int[] trainLabels, int classes, float[][] queries, int k) {
    int[] out = new int[queries.length];
    double[] d = new double[train.length];
    Integer[] order = new Integer[train.length];
    for (int q = 0; q < queries.length; q++) {
      for (int i = 0; i < train.length; i++) {
        d[i] = PrototypeClassifier.cosineDistance(queries[q], toDouble(train[i]));
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> Double.compare(d[a], d[b]));
      double[] votes = new double[classes];
      for (int j = 0; j < Math.min(k, train.length); j++) {
        votes[trainLabels[order[j]]] += 1 / (d[order[j]] + 1e-6);
      }
      int arg = 0;
      for (int c = 1; c < classes; c++) {
        if (votes[c] > votes[arg]) {
          arg = c;
        }
      }
      out[q] = arg;
    }
    return out;
  }

  private static double[] toDouble(float[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
