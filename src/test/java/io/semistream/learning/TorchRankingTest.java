package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.semistream.config.DistanceMetric;
import io.semistream.records.Prototype;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The batched ranking on the PyTorch engine agrees with the Java ranking it stands in for. */
class TorchRankingTest {
  private static List<Prototype> prototypes(Random r, int k, int d) {
    List<Prototype> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      double[] v = new double[d];
      if (i != 7) {                       // class 7: a zero vector (cosine distance 1 to everything)
        for (int j = 0; j < d; j++) {
          v[j] = r.nextGaussian() * 3;
        }
      }
      out.add(new Prototype("c" + i, v, 5, 0.5 + r.nextDouble(), 1, 0, "m", 1, 4, 1, v));
    }
    return out;
  }

  @Test
  void shouldRankLikeTheJavaPathWithAndWithoutNovelty() {
    Random r = new Random(11);
    int d = 64;
    List<Prototype> protos = prototypes(r, 300, d);
    PrototypeClassifier classifier = new PrototypeClassifier(DistanceMetric.COSINE, 0.5);
    PrototypeIndex index = classifier.index(protos, true);
    float[][] batch = new float[40][d];
    for (int n = 1; n < batch.length; n++) {       // batch[0]: a zero query
      for (int j = 0; j < d; j++) {
        batch[n][j] = (float) (n % 3 == 0 ? protos.get(n).vectorView()[j] + r.nextGaussian() * 0.3
            : r.nextGaussian() * 3);
      }
    }
    Ranking[] java = classifier.rankAll(batch, index);
    try (NDManager manager = NDManager.newBaseManager();
         TorchRanking withNovelty = new TorchRanking(manager, index, classifier, true);
         TorchRanking relabel = new TorchRanking(manager, index, classifier, false)) {
      Ranking[] torch = withNovelty.rankAll(batch);
      Ranking[] withoutNovelty = relabel.rankAll(batch);
      for (int n = 0; n < batch.length; n++) {
        Ranking expected = java[n];
        Ranking actual = torch[n];
        String where = "#" + n + " " + expected;
        if (expected.runnerUpDistance() - expected.bestDistance() > 1e-5) {   // no near tie: same two classes
          assertEquals(expected.best(), actual.best(), where);
          assertEquals(expected.runnerUp(), actual.runnerUp(), where);
          assertEquals(expected.bestDistance(), actual.bestDistance(), 1e-12, where);
          assertEquals(expected.runnerUpDistance(), actual.runnerUpDistance(), 1e-12, where);
        }
        assertEquals(expected.confidence(), actual.confidence(), 1e-5, where);
        assertEquals(expected.margin(), actual.margin(), 1e-5, where);
        assertEquals(expected.nearestEuclidean(), actual.nearestEuclidean(), 1e-3 * expected.nearestEuclidean(),
            where);
        assertEquals(actual.best(), withoutNovelty[n].best(), where);
        assertEquals(actual.confidence(), withoutNovelty[n].confidence(), 1e-12, where);
        assertTrue(Double.isNaN(withoutNovelty[n].nearestEuclidean()), "a relabel round skips the novelty part");
      }
      // More rows than one engine call takes: split into batches, in order, with the same results.
      float[][] many = new float[TorchRanking.BATCH * 2 + 17][];
      for (int n = 0; n < many.length; n++) {
        many[n] = batch[n % batch.length];
      }
      Ranking[] split = withNovelty.rankAll(many);
      assertEquals(many.length, split.length);
      for (int n = 0; n < many.length; n++) {
        assertEquals(torch[n % batch.length].best(), split[n].best(), "row " + n);
        assertEquals(torch[n % batch.length].confidence(), split[n].confidence(), 1e-6, "row " + n);
      }
      assertEquals(1.0, torch[0].bestDistance(), "a zero query is at distance 1 from every class");
      assertEquals(1.0 / 300, torch[0].confidence(), 1e-6, "... so every class is equally likely");
    }
  }

  @Test
  void shouldRankASingleClassWithoutRunnerUpAndRefuseTheEuclideanMetric() {
    Random r = new Random(3);
    List<Prototype> one = prototypes(r, 1, 8);
    PrototypeClassifier cosine = new PrototypeClassifier(DistanceMetric.COSINE, 0.5);
    try (NDManager manager = NDManager.newBaseManager();
         TorchRanking ranking = new TorchRanking(manager, cosine.index(one, true), cosine, true)) {
      Ranking only = ranking.rankAll(new float[][] {{1, 2, 3, 4, 5, 6, 7, 8}})[0];
      assertEquals(cosine.rankAll(new float[][] {{1, 2, 3, 4, 5, 6, 7, 8}}, cosine.index(one, true))[0].best(),
          only.best());
      assertEquals(null, only.runnerUp());
      assertEquals(0.0, only.margin(), "no runner-up, no margin: never pseudo-labelled");
      assertEquals(1.0, only.confidence(), 1e-6);
      PrototypeClassifier euclidean = new PrototypeClassifier(DistanceMetric.EUCLIDEAN, 0.5);
      assertThrows(IllegalArgumentException.class,
          () -> new TorchRanking(manager, euclidean.index(one, true), euclidean, true));
    }
  }
}
