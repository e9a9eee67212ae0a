package io.semistream.evaluation;

import io.semistream.zeroshot.RidgeMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The seed's generative alternative, measured in the same run on the same (final encoder's) embeddings as the
 * service's discriminative path, so the two can be compared: features of each unseen class are synthesized
 * (its ridge-mapped prototype plus residuals drawn from the labelled seen images around their class means) and a
 * softmax classifier is trained on the labelled seen images and the synthesized ones together (the recipe of
 * feature-generating zero-shot methods, with a Gaussian-like generator instead of a GAN). A nearest-mean
 * classifier would gain nothing from synthesized features: their mean is the ridge prototype again.
 */
final class GenerativeZeroShot {
  static final int SYNTHESIZED_PER_CLASS = 200;
  static final int EPOCHS = 200;
  static final double LEARNING_RATE = 0.5;
  static final double WEIGHT_DECAY = 1e-3;
  /** Logit scale for unit-length features (a fixed temperature, not tuned per run). */
  static final double SCALE = 5;

  private GenerativeZeroShot() {
  }

  /**
   * @param x unit-length embeddings; {@code labelled[i]}: image i's label is known to the service
   * @param semantics every class's attribute vector
   */
  static Map<String, Object> compare(double[][] x, int[] y, boolean[] labelled, double[][] semantics,
      List<Integer> seen, List<Integer> unseen, double lambda, long seed) {
    int dim = x[0].length;
    double[][] means = new double[semantics.length][dim];
    int[] counts = new int[semantics.length];
    for (int i = 0; i < x.length; i++) {
      if (labelled[i] && seen.contains(y[i])) {
        counts[y[i]]++;
        add(means[y[i]], x[i], 1);
      }
    }
    for (int c : seen) {
      scale(means[c], 1.0 / Math.max(1, counts[c]));
    }
    RidgeMap map = RidgeMap.fit(seen.stream().map(c -> semantics[c]).toArray(double[][]::new),
        seen.stream().map(c -> means[c]).toArray(double[][]::new), lambda);
    for (int c : unseen) {
      means[c] = map.apply(semantics[c]);
    }
    List<double[]> residuals = new ArrayList<>();
    List<double[]> trainX = new ArrayList<>();
    List<Integer> trainY = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      if (labelled[i] && seen.contains(y[i])) {
        double[] r = x[i].clone();
        add(r, means[y[i]], -1);
        residuals.add(r);
        trainX.add(x[i]);
        trainY.add(y[i]);
      }
    }
    List<Integer> all = new ArrayList<>(seen);
    all.addAll(unseen);
    double[][][] seenOnly = train(trainX, trainY, seen);
    Random random = new Random(seed);
    for (int c : unseen) {
      for (int k = 0; k < SYNTHESIZED_PER_CLASS; k++) {
        double[] f = means[c].clone();
        add(f, residuals.get(random.nextInt(residuals.size())), 1);
        trainX.add(f);
        trainY.add(c);
      }
    }
    double[][][] generative = train(trainX, trainY, all);

    int classes = semantics.length;
    int[] images = new int[classes];
    int[] discriminativeTop1 = new int[classes];
    int[] generativeTop1 = new int[classes];
    int[] generalised = new int[classes];
    int[] seenOnlyCorrect = new int[classes];
    for (int i = 0; i < x.length; i++) {
      if (labelled[i] || !all.contains(y[i])) {
        continue;
      }
      int c = y[i];
      images[c]++;
      double[] logits = logits(generative, x[i]);
      generalised[c] += all.get(argmax(logits, 0, all.size())) == c ? 1 : 0;
      if (unseen.contains(c)) {
        generativeTop1[c] += all.get(argmax(logits, seen.size(), all.size())) == c ? 1 : 0;
        int nearest = -1;
        double best = Double.NEGATIVE_INFINITY;
        for (int u : unseen) {
          double cos = dot(x[i], means[u]) / Math.sqrt(dot(means[u], means[u]));
          if (cos > best) {
            best = cos;
            nearest = u;
          }
        }
        discriminativeTop1[c] += nearest == c ? 1 : 0;
      } else {
        seenOnlyCorrect[c] += seen.get(argmax(logits(seenOnly, x[i]), 0, seen.size())) == c ? 1 : 0;
      }
    }
    double seenAccuracy = ZeroShotReport.meanRate(generalised, images, seen);
    double unseenAccuracy = ZeroShotReport.meanRate(generalised, images, unseen);
    double seenBaseline = ZeroShotReport.meanRate(seenOnlyCorrect, images, seen);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("embeddings", "the final encoder's, " + x.length + " images");
    r.put("discriminativeTop1AmongUnseen", ZeroShotReport.meanRate(discriminativeTop1, images, unseen));
    r.put("generativeTop1AmongUnseen", ZeroShotReport.meanRate(generativeTop1, images, unseen));
    r.put("generativeGeneralisedSeenAccuracy", seenAccuracy);
    r.put("generativeGeneralisedUnseenAccuracy", unseenAccuracy);
    r.put("generativeGeneralisedHarmonicMean", round(seenAccuracy + unseenAccuracy > 0
        ? 2 * seenAccuracy * unseenAccuracy / (seenAccuracy + unseenAccuracy) : 0));
    r.put("softmaxSeenOnlyAccuracy", seenBaseline);
    r.put("generativeSeenAccuracyDropPoints", Math.round((seenBaseline - seenAccuracy) * 10_000) / 100.0);
    return r;
  }

  /** Multinomial logistic regression by full-batch gradient descent: {W (dim x k), b (1 x k)}. */
  private static double[][][] train(List<double[]> xs, List<Integer> ys, List<Integer> classes) {
    int k = classes.size();
    int dim = xs.get(0).length;
    double[][] w = new double[dim][k];
    double[][] b = new double[1][k];
    int n = xs.size();
    double[][][] model = {w, b};
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      double[][] gw = new double[dim][k];
      double[] gb = new double[k];
      for (int i = 0; i < n; i++) {
        double[] p = softmax(logits(model, xs.get(i)));
        p[classes.indexOf(ys.get(i))] -= 1;
        for (int j = 0; j < k; j++) {
          double g = p[j] / n;
          gb[j] += g;
          for (int d = 0; d < dim; d++) {
            gw[d][j] += g * SCALE * xs.get(i)[d];
          }
        }
      }
      for (int d = 0; d < dim; d++) {
        for (int j = 0; j < k; j++) {
          w[d][j] -= LEARNING_RATE * (gw[d][j] + WEIGHT_DECAY * w[d][j]);
        }
      }
      for (int j = 0; j < k; j++) {
        b[0][j] -= LEARNING_RATE * gb[j];
      }
    }
    return model;
  }

  private static double[] logits(double[][][] model, double[] x) {
    double[][] w = model[0];
    int k = model[1][0].length;
    double[] z = model[1][0].clone();
    for (int d = 0; d < x.length; d++) {
      double v = SCALE * x[d];
      for (int j = 0; j < k; j++) {
        z[j] += v * w[d][j];
      }
    }
    return z;
  }

  private static double[] softmax(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[z.length];
    for (int j = 0; j < z.length; j++) {
      p[j] = Math.exp(z[j] - max);
      sum += p[j];
    }
    for (int j = 0; j < z.length; j++) {
      p[j] /= sum;
    }
    return p;
  }

  private static int argmax(double[] v, int from, int to) {
    int best = from;
    for (int j = from + 1; j < to; j++) {
      if (v[j] > v[best]) {
        best = j;
      }
    }
    return best;
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  private static void add(double[] into, double[] v, double factor) {
    for (int d = 0; d < into.length; d++) {
      into[d] += factor * v[d];
    }
  }

  private static void scale(double[] v, double factor) {
    for (int d = 0; d < v.length; d++) {
      v[d] *= factor;
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int d = 0; d < a.length; d++) {
      s += a[d] * b[d];
    }
    return s;
  }
}
