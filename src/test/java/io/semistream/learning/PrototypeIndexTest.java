package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
