package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.semistream.config.DistanceMetric;
import io.semistream.records.Prototype;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The indexed (dot-product) ranking agrees with the direct per-class distances it replaces. */
class PrototypeIndexTest {
  private static List<Prototype> prototypes(Random r, int k, int d) {
    List<Prototype> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      double[] v = new double[d];
      double[] labelled = i % 5 == 4 ? null : new double[d];
      for (int j = 0; j < d; j++) {
        v[j] = r.nextGaussian() * 3;
        if (labelled != null) {
          labelled[j] = v[j] + r.nextGaussian() * 0.1;
        }
      }
      out.add(new Prototype("c" + i, v, 5, 0.5 + r.nextDouble(), 1, 0, "m", 1, labelled == null ? 0 : 4, 1, labelled));
    }
    return out;
  }

  private static float[] vector(Random r, int d) {
    float[] v = new float[d];
    for (int j = 0; j < d; j++) {
      v[j] = (float) (r.nextGaussian() * 3);
    }
    return v;
  }

  @Test
  void shouldRankLikeTheDirectComputationForBothMetricsAndBothPrototypeSets() {
    Random r = new Random(7);
    List<Prototype> protos = prototypes(r, 40, 18);   // 18: four-dimension sweeps plus a remainder
    for (DistanceMetric metric : DistanceMetric.values()) {
      PrototypeClassifier c = new PrototypeClassifier(metric, 0.5);
      for (boolean blended : new boolean[] {true, false}) {
        PrototypeIndex index = c.index(protos, blended);
        float[][] batch = new float[30][];
        for (int n = 0; n < batch.length; n++) {
          batch[n] = n == 0 ? protos.get(3).vectorView().length == 18 ? toFloat(protos.get(3).vectorView()) : null
              : vector(r, 18);
        }
        Ranking[] all = c.rankAll(batch, index);
        for (int n = 0; n < batch.length; n++) {
          Ranking direct = c.rank(batch[n], protos, blended);
          Ranking indexed = c.rank(batch[n], index);
          String where = metric + " blended=" + blended + " #" + n;
          assertEquals(direct.best(), indexed.best(), where);
          assertEquals(direct.runnerUp(), indexed.runnerUp(), where);
          assertEquals(direct.bestDistance(), indexed.bestDistance(), 1e-6, where);
          assertEquals(direct.confidence(), indexed.confidence(), 1e-9, where);
          assertEquals(direct.margin(), indexed.margin(), 1e-9, where);
          assertEquals(direct.nearestEuclidean(), indexed.nearestEuclidean(), 1e-6, where);
          assertEquals(direct.nearestEuclidean(), c.nearestEuclidean(batch[n], index), 1e-6,
              "the anomaly score's distance alone: " + where);
          assertEquals(indexed, all[n], "batched equals one at a time: " + where);
        }
      }
    }
  }

  @Test
  void shouldMeasureTheNoveltyDistanceInUnitsOfThePooledWithinClassSpreadPerDimension() {
    Random r = new Random(11);
    int d = 6;
    List<Prototype> protos = new ArrayList<>();
    double[] pooled = new double[d];
    long n = 0;
    for (int i = 0; i < 5; i++) {
      double[] mean = new double[d];
      double[] variance = new double[d];
      for (int j = 0; j < d; j++) {
        mean[j] = r.nextGaussian() * 3;
        variance[j] = r.nextDouble() * (j + 1);
      }
      long count = 3 + i;
      protos.add(new Prototype("c" + i, mean, count, 1, 1, 0, "m", 2, count, 0, mean, 1, mean, variance, count));
      for (int j = 0; j < d; j++) {
        pooled[j] += count * variance[j];
      }
      n += count - 1;
    }
    // One class of another novelty version and one without a variance (stored before it existed) are left out.
    protos.add(new Prototype("other", new double[d], 1, 1, 1, 0, "m", 2, 1, 0, new double[d], 7, new double[d],
        new double[d], 1));
    double mean = 0;
    for (int j = 0; j < d; j++) {
      pooled[j] /= n;
      mean += pooled[j] / d;
    }
    double shrink = PrototypeIndex.SHRINKAGE_EXAMPLES / (n + PrototypeIndex.SHRINKAGE_EXAMPLES);
    PrototypeClassifier c = new PrototypeClassifier(DistanceMetric.EUCLIDEAN, 0.5);
    PrototypeIndex scaled = PrototypeIndex.ofNovelty(protos, 1, DistanceMetric.EUCLIDEAN, true);
    PrototypeIndex plain = PrototypeIndex.ofNovelty(protos, 1, DistanceMetric.EUCLIDEAN, false);
    assertEquals(5, scaled.size());
    for (int t = 0; t < 20; t++) {
      float[] v = vector(r, d);
      double nearest = Double.POSITIVE_INFINITY;
      double nearestPlain = Double.POSITIVE_INFINITY;
      for (Prototype p : protos.subList(0, 5)) {
        double sum = 0;
        double plainSum = 0;
        for (int j = 0; j < d; j++) {
          double diff = v[j] - p.noveltyVectorView()[j];
          sum += diff * diff * mean / ((1 - shrink) * pooled[j] + shrink * mean);
          plainSum += diff * diff;
        }
        nearest = Math.min(nearest, Math.sqrt(sum));
        nearestPlain = Math.min(nearestPlain, Math.sqrt(plainSum));
      }
      assertEquals(nearest, c.nearestEuclidean(scaled.scaled(v), scaled), 1e-5, "diagonal Mahalanobis #" + t);
      assertEquals(nearestPlain, c.nearestEuclidean(plain.scaled(v), plain), 1e-5, "unscaled #" + t);
    }
    List<Prototype> withoutVariance = List.of(
        new Prototype("a", new double[] {1, 2}, 1, 0, 1, 0, "m", 1, 1, 0, new double[] {1, 2}, 1, new double[] {1, 2}),
        new Prototype("b", new double[] {3, 2}, 1, 0, 1, 0, "m", 1, 1, 0, new double[] {3, 2}, 1, new double[] {3, 2}));
    assertNull(PrototypeIndex.pooledScaling(withoutVariance), "no variance known: plain Euclidean");
    float[] q = {5, 5};
    assertSame(q, PrototypeIndex.ofNovelty(withoutVariance, 1, DistanceMetric.EUCLIDEAN, true).scaled(q));
  }

  @Test
  void shouldKeepTheNoveltyDistanceInTheEmbeddingsUnitsWhileTheFirstLabelsSayLittleAboutSpread() {
    // The first labels: classes of one example (no spread to pool) and one class of two near-identical images.
    List<Prototype> first = List.of(
        new Prototype("a", new double[] {1, 2}, 1, 0, 1, 0, "m", 1, 1, 0, new double[] {1, 2}, 1,
            new double[] {1, 2}, new double[] {0, 0}, 1),
        new Prototype("b", new double[] {3, 2}, 2, 0, 1, 0, "m", 1, 2, 0, new double[] {3, 2}, 1,
            new double[] {3, 2}, new double[] {1e-12, 4e-12}, 2));
    double[] w = PrototypeIndex.pooledScaling(first);
    // One degree of freedom: no weight above sqrt(11 / 10), and 1 / w^2 averages 1 over the dimensions.
    assertTrue(w[0] > 1 && w[0] <= Math.sqrt(1.1) + 1e-12, "weight " + w[0]);
    assertTrue(w[1] < 1, "weight " + w[1]);
    assertEquals(1, (1 / (w[0] * w[0]) + 1 / (w[1] * w[1])) / 2, 1e-9);
    float[] query = {3, 7};
    PrototypeClassifier c = new PrototypeClassifier(DistanceMetric.EUCLIDEAN, 0.5);
    PrototypeIndex index = PrototypeIndex.ofNovelty(first, 1, DistanceMetric.EUCLIDEAN, true);
    double distance = c.nearestEuclidean(index.scaled(query), index);
    assertTrue(distance > 5 / Math.sqrt(1.1) - 1e-6 && distance < 5 * Math.sqrt(1.1) + 1e-6,
        "5 away from both in plain units, and within the weights' bounds when scaled: " + distance);
    assertNull(PrototypeIndex.pooledScaling(List.of(first.get(0))), "one example per class: plain Euclidean");
  }

  @Test
  void shouldHaveNoIndexWithoutQualifyingPrototypes() {
    PrototypeClassifier c = new PrototypeClassifier(DistanceMetric.EUCLIDEAN, 0.5);
    assertNull(c.index(List.of(), true));
    Prototype pseudoOnly = new Prototype("a", new double[] {1, 2}, 0.2, 0.1, 1, 0, "m", 1, 0, 0.2, null);
    assertNull(c.index(List.of(pseudoOnly), false), "labels-only: a class without labels does not qualify");
    assertNull(c.rank(new float[] {1, 2}, (PrototypeIndex) null));
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }
}
