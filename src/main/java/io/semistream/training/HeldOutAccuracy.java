package io.semistream.training;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.semistream.model.ImageEmbedding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

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
   * One version judged on the labels.
   *
   * @param ranks per held-out image, the rank of its true class among the training labels' class means
   * @param leaveOneOutAccuracy when asked for (a version never trained on these labels): nearest-mean accuracy
   *     over every label, training and held-out, each classified by the means of all the others; else NaN
   */
  record Judgement(int[] ranks, double leaveOneOutAccuracy) {
  }

  /** Embeds every label once and judges from those embeddings; no ranks when there is nothing to learn or judge. */
  static Judgement judge(Predictor<float[][], List<ImageEmbedding>> encoder, List<LabelledReservoir.Example> train,
      List<LabelledReservoir.Example> heldOut, boolean leaveOneOut) throws TranslateException {
    if (train.isEmpty() || heldOut.isEmpty()) {
      return new Judgement(new int[0], Double.NaN);
    }
    List<float[]> trainVectors = unitEmbeddings(encoder, train);
    List<float[]> heldOutVectors = unitEmbeddings(encoder, heldOut);
    List<String> trainClasses = classes(train);
    List<String> heldOutClasses = classes(heldOut);
    int[] ranks = trueClassRanks(trainVectors, trainClasses, heldOutVectors, heldOutClasses);
    if (!leaveOneOut) {
      return new Judgement(ranks, Double.NaN);
    }
    List<float[]> allVectors = new ArrayList<>(trainVectors);
    allVectors.addAll(heldOutVectors);
    List<String> allClasses = new ArrayList<>(trainClasses);
    allClasses.addAll(heldOutClasses);
    return new Judgement(ranks, leaveOneOut(allVectors, allClasses));
  }

  /**
   * Per query (unit vectors), the rank of its true class by cosine to the class means of the training vectors
   * (1: nearest; a class without training vectors ranks last).
   */
  static int[] trueClassRanks(List<float[]> train, List<String> trainClasses, List<float[]> queries,
      List<String> queryClasses) {
    Map<String, double[]> sums = classSums(train, trainClasses);
    int[] ranks = new int[queries.size()];
    for (int i = 0; i < queries.size(); i++) {
      double[] trueSum = sums.get(queryClasses.get(i));
      ranks[i] = trueSum == null ? sums.size() + 1 : rank(queries.get(i), trueSum, sums.values());
    }
    return ranks;
  }

  /**
   * Nearest-mean accuracy of unit vectors, each classified by the means of all the others (leave one out): for an
   * encoder never trained on these labels, an estimate from every label rather than the held-out share. Vectors
   * whose class has no other vector are not counted; NaN when none is.
   */
  static double leaveOneOut(List<float[]> vectors, List<String> classes) {
    Map<String, double[]> sums = classSums(vectors, classes);
    Map<String, Long> counts = classes.stream().collect(Collectors.groupingBy(c -> c, Collectors.counting()));
    int judged = 0;
    int right = 0;
    for (int i = 0; i < vectors.size(); i++) {
      String own = classes.get(i);
      if (counts.get(own) < 2) {
        continue;
      }
      float[] q = vectors.get(i);
      double[] without = sums.get(own).clone();
      for (int d = 0; d < without.length; d++) {
        without[d] -= q[d];
      }
      List<double[]> all = new ArrayList<>();
      sums.forEach((c, sum) -> all.add(c.equals(own) ? without : sum));
      judged++;
      right += rank(q, without, all) == 1 ? 1 : 0;
    }
    return judged == 0 ? Double.NaN : right / (double) judged;
  }

  private static Map<String, double[]> classSums(List<float[]> vectors, List<String> classes) {
    Map<String, double[]> sums = new HashMap<>();
    for (int i = 0; i < vectors.size(); i++) {
      float[] v = vectors.get(i);
      double[] sum = sums.computeIfAbsent(classes.get(i), k -> new double[v.length]);
      for (int d = 0; d < sum.length; d++) {
        sum[d] += v[d];
      }
    }
    return sums;
  }

  private static List<String> classes(List<LabelledReservoir.Example> examples) {
    return examples.stream().map(LabelledReservoir.Example::className).toList();
  }

  /** The rank of the true class's sum by cosine to a unit query among all class sums (1: nearest). */
  static int rank(float[] unitQuery, double[] trueSum, Collection<double[]> sums) {
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

  private static List<float[]> unitEmbeddings(Predictor<float[][], List<ImageEmbedding>> encoder,
      List<LabelledReservoir.Example> examples) throws TranslateException {
    List<float[]> out = new ArrayList<>(examples.size());
    for (int from = 0; from < examples.size(); from += BATCH) {
      List<LabelledReservoir.Example> part = examples.subList(from, Math.min(examples.size(), from + BATCH));
      float[][] batch = part.stream().map(LabelledReservoir.Example::image).toArray(float[][]::new);
      encoder.predict(batch).forEach(e -> out.add(unit(e.vector())));
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
