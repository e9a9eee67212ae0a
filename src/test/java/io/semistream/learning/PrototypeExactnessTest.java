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

}
