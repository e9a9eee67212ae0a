package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyUnderLoadTest {
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
    var r = new LatencyUnderLoad.Result(1_000, List.of(
        new LatencyUnderLoad.Load(25, 250, 249, 5_000, 80, 120, 150, 0),
        new LatencyUnderLoad.Load(50, 500, 498, 10_000, 90, 140, 200, 0),
        new LatencyUnderLoad.Load(100, 1_000, 990, 20_000, 900, 2_000, 2_500, 0)));
    String svg = LatencyUnderLoad.svg(r);
    assertTrue(svg.startsWith("<svg"), svg);
    assertEquals(2, svg.split("<polyline", -1).length - 1, "a p50 and a p99 line");
    assertTrue(svg.contains("50 %") && svg.contains("100 %"), svg);
  }
}
