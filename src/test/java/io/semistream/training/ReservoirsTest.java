package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReservoirsTest {
  @Test
  void shouldBoundEachClassAndDrawClassesUniformly() {
    LabelledReservoir r = new LabelledReservoir(10, 1);
    for (int i = 0; i < 1000; i++) {
      r.add("big-" + i, "big", new float[] {i});
    }
    for (int i = 0; i < 5; i++) {
      r.add("small-" + i, "small", new float[] {i});
    }
    assertEquals(10, r.count("big"));
    assertEquals(5, r.count("small"));
    assertEquals(15, r.size());
    Map<String, Integer> drawn = new HashMap<>();
    r.balancedBatch(10_000, new Random(2)).forEach(e -> drawn.merge(e.className(), 1, Integer::sum));
    assertEquals(5_000, drawn.get("big"), 200);
    assertEquals(5_000, drawn.get("small"), 200);
  }

  @Test
  void shouldKeepOldAndNewLabelsEquallyLikelyBeyondTheBound() {
    int keptEarly = 0;
    for (int seed = 0; seed < 200; seed++) {
      LabelledReservoir r = new LabelledReservoir(10, seed);
      for (int i = 0; i < 100; i++) {
        r.add("id-" + i, "c", new float[] {i});
      }
      keptEarly += (int) r.all().stream().filter(e -> e.image()[0] < 50).count();
    }
    assertEquals(1_000, keptEarly, 120, "half of the kept examples come from the first half of the stream");
  }

  @Test
  void shouldMoveARelabelledImage() {
    LabelledReservoir r = new LabelledReservoir(10, 1);
    r.add("x", "a", new float[] {1});
    r.add("x", "b", new float[] {1});
    assertEquals(0, r.count("a"));
    assertEquals(1, r.count("b"));
    assertEquals(List.of("a", "b"), r.classes());
    assertEquals(1, r.size());
  }

  @Test
  void shouldKeepOnlyTheMostRecentUnlabelledImages() {
    RecentImages recent = new RecentImages(3);
    for (int i = 0; i < 10; i++) {
      recent.add(new float[] {i});
    }
    assertEquals(3, recent.size());
    assertEquals(10, recent.added());
    recent.sample(100, new Random(1)).forEach(v -> assertTrue(v[0] >= 7, "only the last 3: " + v[0]));
    assertTrue(new RecentImages(2).sample(5, new Random(1)).isEmpty());
  }
}
