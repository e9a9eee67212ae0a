package io.semistream.learning;

import io.semistream.records.Prototype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Property-style: whatever the order of embeddings, labels and relabels, prototypes equal the batch means. */
class PrototypeExactnessTest {
  private static final String[] CLASSES = {"cat", "dog", "owl"};

  @Test
  void shouldKeepEveryPrototypeEqualToTheBatchMeanUnderRandomLabelOrders(@TempDir Path dir) {
    for (int seed = 1; seed <= 5; seed++) {
      Random r = new Random(seed);
      try (LearnerHarness h = new LearnerHarness(
          LearnerHarness.settings(dir.resolve("s" + seed)).withPseudoWeight(0))) {
        Map<String, float[]> vectors = new HashMap<>();
        Map<String, String> currentLabel = new HashMap<>();
        List<Runnable> events = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
          String id = "img-" + i;
          float[] v = {(float) r.nextGaussian() * 5, (float) r.nextGaussian(), r.nextFloat(), (float) i};
          vectors.put(id, v);
          events.add(() -> h.embed(id, v));
          // 0: unlabelled, 1: labelled, 2 or 3: labelled, then relabelled (the last label wins)
          int labelsForImage = r.nextInt(4);
          List<String> sequence = new ArrayList<>();
          for (int k = 0; k < labelsForImage; k++) {
            sequence.add(CLASSES[r.nextInt(CLASSES.length)]);
          }
          if (!sequence.isEmpty()) {
            events.add(() -> sequence.forEach(c -> {
              h.label(id, c);
              currentLabel.put(id, c);
            }));
          }
        }
        // Labels may come before or after their embedding, in any order across images.
        Collections.shuffle(events, r);
        events.forEach(Runnable::run);

        Map<String, Prototype> latest = h.latestPrototypes();
        for (String c : CLASSES) {
          double[] mean = new double[4];
          int n = 0;
          for (var e : currentLabel.entrySet()) {
            if (e.getValue().equals(c)) {
              float[] v = vectors.get(e.getKey());
              for (int i = 0; i < 4; i++) {
                mean[i] += v[i];
              }
              n++;
            }
          }
          if (n == 0) {
            assertTrue(!latest.containsKey(c), "class " + c + " has no label left but still a prototype");
            continue;
          }
          Prototype p = latest.get(c);
          assertEquals(n, p.labelledCount(), "seed " + seed + " class " + c);
          assertEquals(n, p.count(), 1e-9);
          for (int i = 0; i < 4; i++) {
            assertEquals(mean[i] / n, p.vector()[i], 1e-5, "seed " + seed + " class " + c + " dim " + i);
          }
        }
      }
    }
  }


  @Test
  void shouldGiveBitIdenticalPrototypesWhateverOrderTheDeltasArriveIn() {
    java.util.Random random = new java.util.Random(5);
    List<io.semistream.records.PrototypeDelta> deltas = new java.util.ArrayList<>();
    for (int k = 0; k < 300; k++) {
      float[] v = new float[8];
      for (int i = 0; i < v.length; i++) {
        // Magnitudes from 1e-7 to 1e3: a double sum of these rounds differently in different orders.
        v[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(11) - 7));
      }
      boolean pseudo = k % 3 == 0;
      deltas.add(new io.semistream.records.PrototypeDelta("a", pseudo, pseudo ? 0.2 : 1, v, "m", 1, k));
    }
    Prototype reference = null;
    for (int order = 0; order < 20; order++) {
      List<io.semistream.records.PrototypeDelta> shuffled = new java.util.ArrayList<>(deltas);
      java.util.Collections.shuffle(shuffled, new java.util.Random(order));
      PrototypeSums sums = PrototypeSums.empty("a", 8);
      for (var d : shuffled) {
        sums = sums.apply(d);
      }
      Prototype p = sums.toPrototype(0, 10);
      if (reference == null) {
        reference = p;
      } else {
        assertTrue(java.util.Arrays.equals(reference.vector(), p.vector()), "order " + order + ": blended mean");
        assertTrue(java.util.Arrays.equals(reference.labelledVector(), p.labelledVector()), "order " + order);
        assertEquals(reference.spread(), p.spread(), 0, "order " + order);
      }
      // Every member leaves again, in yet another order: nothing at all remains.
      java.util.Collections.shuffle(shuffled, new java.util.Random(100 + order));
      for (var d : shuffled) {
        sums = sums.apply(new io.semistream.records.PrototypeDelta(d.className(), d.pseudo(), -d.weight(),
            d.embedding(), d.modelId(), d.modelVersion(), d.time()));
      }
      assertTrue(sums.isEmpty());
      assertTrue(java.util.Arrays.equals(new long[8], sums.labelledSum()) && sums.labelledSquares() == 0);
    }
  }
}
