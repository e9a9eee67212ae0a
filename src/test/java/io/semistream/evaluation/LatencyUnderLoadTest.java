package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyUnderLoadTest {
  private static final LatencyUnderLoad.Hops HOPS = new LatencyUnderLoad.Hops(1, 2, 3, 4, 50, 0, 0);

  @Test
  void shouldCountEachPredictionInThePhaseItsIdNames() {
    assertEquals("load50-", LatencyUnderLoad.phase("load50-17"));
    assertEquals("flood-", LatencyUnderLoad.phase("flood-3"));
    assertEquals("flood-warm-", LatencyUnderLoad.phase("flood-warm-3"), "the second flood is a phase of its own");
    assertEquals("warm-", LatencyUnderLoad.phase("warm-00012"), "the replayer's ids");
  }

  @Test
  void shouldTakeNearestRankQuantiles() {
    double[] sorted = new double[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1;
    }
    assertEquals(50, LatencyUnderLoad.quantile(sorted, 0.5));
    assertEquals(99, LatencyUnderLoad.quantile(sorted, 0.99));
    assertEquals(100, LatencyUnderLoad.quantile(sorted, 1.0));
    assertEquals(7, LatencyUnderLoad.quantile(new double[] {7}, 0.99));
    assertTrue(Double.isNaN(LatencyUnderLoad.quantile(new double[0], 0.5)));
  }

  @Test
  void shouldDrawOneLinePerQuantileWithAPointPerLoad() {
    var r = new LatencyUnderLoad.Result(1_000, 1_300, List.of(
        new LatencyUnderLoad.Load(25, 250, 249, 5_000, 80, 120, 150, 0, HOPS, 3),
        new LatencyUnderLoad.Load(50, 500, 498, 10_000, 90, 140, 200, 0, HOPS, 3),
        new LatencyUnderLoad.Load(100, 1_000, 990, 20_000, 900, 2_000, 2_500, 0, HOPS, 3)));
    String svg = LatencyUnderLoad.svg(r);
    assertTrue(svg.startsWith("<svg"), svg);
    assertEquals(2, svg.split("<polyline", -1).length - 1, "a p50 and a p99 line");
    assertTrue(svg.contains("50 %") && svg.contains("100 %"), svg);
  }

  @Test
  void shouldSplitEachImagesLatencyIntoTheEmbeddingAndTheLearnerHop() throws Exception {
    // 100 images sent at 0; embedded after 10 ms and predicted 20 ms later, except the last: 10 + 500 ms.
    java.util.Map<String, Long> sent = new java.util.HashMap<>();
    java.util.Map<String, Long> embedded = new java.util.HashMap<>();
    java.util.Map<String, Long> predicted = new java.util.HashMap<>();
    for (int i = 0; i < 100; i++) {
      sent.put("x" + i, 0L);
      embedded.put("x" + i, 10_000_000L);
      predicted.put("x" + i, (i == 99 ? 510 : 30) * 1_000_000L);
    }
    predicted.remove("x5");   // never predicted: left out, not counted as 0
    try (GcPauses gc = GcPauses.listen()) {
      var hops = LatencyUnderLoad.hops("x", 100, sent, embedded, predicted, 30, gc);
      assertEquals(10, hops.embeddingP50Ms(), 1e-9);
      assertEquals(10, hops.embeddingP99Ms(), 1e-9);
      assertEquals(20, hops.learnerP50Ms(), 1e-9);
      assertEquals(500, hops.learnerP99Ms(), 1e-9, "nearest rank: the 99th of 99 values, the slow one");
      // Every image is at or above the p99 given (30 ms): (98 * 20 + 500) / (98 * 30 + 510) in the learner.
      assertEquals(100.0 * (98 * 20 + 500) / (98 * 30 + 510), hops.slowestInLearnerPercent(), 1e-9);
      var slowOnly = LatencyUnderLoad.hops("x", 100, sent, embedded, predicted, 100, gc);
      assertEquals(100.0 * 500 / 510, slowOnly.slowestInLearnerPercent(), 1e-9);
    }
  }

  @Test
  void shouldGroupTheSlowestImagesIntoBurstsByWhenTheyWereSent() {
    // One image every 10 ms; images 5-7 and 100-101 took 400 ms, the rest 50: two bursts, 0.95 s apart.
    java.util.Map<String, Long> sent = new java.util.HashMap<>();
    java.util.Map<String, Long> seen = new java.util.HashMap<>();
    for (int i = 0; i < 200; i++) {
      long at = 1_000_000_000L + i * 10_000_000L;
      sent.put("y" + i, at);
      boolean slow = (i >= 5 && i <= 7) || i == 100 || i == 101;
      seen.put("y" + i, at + (slow ? 400 + i : 50) * 1_000_000L);
    }
    seen.remove("y150");   // never predicted: not slow, not a burst
    assertEquals("0.1 s: 3, up to 407 ms; 1.0 s: 2, up to 501 ms",
        LatencyUnderLoad.slowBursts("y", 200, sent, seen, 1_000_000_000L, 400));
    assertEquals("", LatencyUnderLoad.slowBursts("y", 200, sent, seen, 1_000_000_000L, 1_000));
  }

  @Test
  void shouldCountStopTheWorldCollectionsWhileListening() throws Exception {
    try (GcPauses gc = GcPauses.listen()) {
      gc.reset();
      System.gc();
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (gc.count() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);   // notifications arrive on another thread
      }
      assertTrue(gc.count() >= 1, "a full collection is a pause");
      assertTrue(gc.longestMs() >= 0);
      gc.reset();
      assertEquals(0, gc.count());
    }
  }
}
