package io.semistream.training;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.semistream.model.ImageEmbedding;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How well an encoder serves the learner, measured the way the learner uses it: class means (cosine) of the
 * training labels' embeddings, then nearest-mean classification of held-out labelled images: per image, the rank
 * of its true class among the class means (1: classified right), so that two versions can be compared pair by
 * pair ({@link PromotionRule.Comparison}).
 */
final class HeldOutAccuracy {
  private static final int BATCH = 256;

  private HeldOutAccuracy() {
  }

  /**
   * Per held-out image, the rank of its true class by cosine to the class means (1: nearest; a class without
   * training labels ranks last); none when there is nothing to learn from or judge.
   */
  static int[] trueClassRanks(Predictor<float[][], List<ImageEmbedding>> encoder, List<LabelledReservoir.Example> train,
      List<LabelledReservoir.Example> heldOut) throws TranslateException {
    if (train.isEmpty() || heldOut.isEmpty()) {
      return new int[0];
    }
    Map<String, double[]> sums = new HashMap<>();
    List<float[]> trainVectors = embed(encoder, train);
    for (int i = 0; i < train.size(); i++) {
      double[] s = sums.computeIfAbsent(train.get(i).className(), k -> new double[trainVectors.get(0).length]);
      float[] v = unit(trainVectors.get(i));
      for (int d = 0; d < s.length; d++) {
        s[d] += v[d];
      }
    }
    List<float[]> queries = embed(encoder, heldOut);
    int[] ranks = new int[heldOut.size()];
    for (int i = 0; i < heldOut.size(); i++) {
      float[] q = unit(queries.get(i));
      double[] trueSum = sums.get(heldOut.get(i).className());
      if (trueSum == null) {
        ranks[i] = sums.size() + 1;
        continue;
      }
      ranks[i] = rank(q, trueSum, sums.values());
    }
    return ranks;
  }

  /**
   * Nearest-mean accuracy, each labelled image classified by the means of all the others (leave one out), for an
   * encoder that was never trained on these labels: an estimate of its accuracy from every label rather than
   * the held-out share. Images whose class has no other label are not counted; NaN when none is.
   */
  static double leaveOneOutAccuracy(Predictor<float[][], List<ImageEmbedding>> encoder,
      List<LabelledReservoir.Example> labelled) throws TranslateException {
    if (labelled.isEmpty()) {
      return Double.NaN;
    }
    List<float[]> vectors = embed(encoder, labelled).stream().map(HeldOutAccuracy::unit).toList();
    Map<String, double[]> sums = new HashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < labelled.size(); i++) {
      double[] s = sums.computeIfAbsent(labelled.get(i).className(), k -> new double[vectors.get(0).length]);
      counts.merge(labelled.get(i).className(), 1, Integer::sum);
      for (int d = 0; d < s.length; d++) {
        s[d] += vectors.get(i)[d];
      }
    }
    return leaveOneOut(vectors, labelled.stream().map(LabelledReservoir.Example::className).toList(), sums, counts);
  }

  /** {@link #leaveOneOutAccuracy} on embeddings already made unit length: the arithmetic, testable alone. */
  static double leaveOneOut(List<float[]> unitVectors, List<String> classes, Map<String, double[]> sums,
      Map<String, Integer> counts) {
    int judged = 0;
    int right = 0;
    for (int i = 0; i < unitVectors.size(); i++) {
      String own = classes.get(i);
      if (counts.get(own) < 2) {
        continue;
      }
      float[] q = unitVectors.get(i);
      double[] without = sums.get(own).clone();
      for (int d = 0; d < without.length; d++) {
        without[d] -= q[d];
      }
      List<double[]> others = new java.util.ArrayList<>();
      sums.forEach((c, s) -> others.add(c.equals(own) ? without : s));
      judged++;
      right += rank(q, without, others) == 1 ? 1 : 0;
    }
    return judged == 0 ? Double.NaN : right / (double) judged;
  }

  /** The rank of the true class's sum by cosine to a unit query among all class sums (1: nearest). */
  static int rank(float[] unitQuery, double[] trueSum, java.util.Collection<double[]> sums) {
    double trueCos = cosine(unitQuery, trueSum);
    int rank = 1;
    for (double[] other : sums) {
      // Ties count against the true class: a version that cannot tell two classes apart gets no credit.
      if (other != trueSum && cosine(unitQuery, other) >= trueCos) {
        rank++;
      }
    }
    return rank;
  }

  private static double cosine(float[] unitQuery, double[] sum) {
    double dot = 0;
    double norm = 0;
    for (int d = 0; d < unitQuery.length; d++) {
      dot += unitQuery[d] * sum[d];
      norm += sum[d] * sum[d];
    }
    return norm == 0 ? -1 : dot / Math.sqrt(norm);
  }

  private static List<float[]> embed(Predictor<float[][], List<ImageEmbedding>> encoder,
      List<LabelledReservoir.Example> examples) throws TranslateException {
    List<float[]> out = new java.util.ArrayList<>(examples.size());
    for (int from = 0; from < examples.size(); from += BATCH) {
      List<LabelledReservoir.Example> part = examples.subList(from, Math.min(examples.size(), from + BATCH));
      float[][] batch = part.stream().map(LabelledReservoir.Example::image).toArray(float[][]::new);
      encoder.predict(batch).forEach(e -> out.add(e.vector()));
    }
    return out;
  }

  private static float[] unit(float[] v) {
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    float[] out = v.clone();
    if (n > 0) {
      float inv = (float) (1 / Math.sqrt(n));
      for (int i = 0; i < out.length; i++) {
        out[i] *= inv;
      }
    }
    return out;
  }
}
