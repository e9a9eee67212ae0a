package io.semistream.training;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.semistream.model.ImageEmbedding;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How well an encoder serves the learner, measured the way the learner uses it: class means (cosine) of the
 * training labels' embeddings, then nearest-mean classification of held-out labelled images: which of them it
 * gets right (per image, so that two versions can be compared pair by pair: {@link PromotionRule.Comparison}).
 */
final class HeldOutAccuracy {
  private static final int BATCH = 256;

  private HeldOutAccuracy() {
  }

  /** Per held-out image, whether it is classified right; none when there is nothing to learn from or judge. */
  static boolean[] correct(Predictor<float[][], List<ImageEmbedding>> encoder, List<LabelledReservoir.Example> train,
      List<LabelledReservoir.Example> heldOut) throws TranslateException {
    if (train.isEmpty() || heldOut.isEmpty()) {
      return new boolean[0];
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
    boolean[] correct = new boolean[heldOut.size()];
    for (int i = 0; i < heldOut.size(); i++) {
      float[] q = unit(queries.get(i));
      String best = null;
      double bestCos = Double.NEGATIVE_INFINITY;
      for (var e : sums.entrySet()) {
        double dot = 0;
        double norm = 0;
        for (int d = 0; d < q.length; d++) {
          dot += q[d] * e.getValue()[d];
          norm += e.getValue()[d] * e.getValue()[d];
        }
        double cos = norm == 0 ? -1 : dot / Math.sqrt(norm);
        if (cos > bestCos) {
          bestCos = cos;
          best = e.getKey();
        }
      }
      correct[i] = heldOut.get(i).className().equals(best);
    }
    return correct;
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
