package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.replay.ReplayOptions;
import io.semistream.testing.ProjectPaths;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScaleOutTest {
  private static ScaleOut.Run run(int instances, double... mean) {
    return new ScaleOut.Run(instances, 100, 1, Map.of("a", mean), Map.of("a", 3L));
  }

  @Test
  void shouldCallRunsEqualOnlyWhenEveryBitOfEveryLabelledMeanIsEqual() {
    assertTrue(run(2, 0.1, 0.2).bitEqual(run(1, 0.1, 0.2)));
    assertFalse(run(2, 0.1, Math.nextUp(0.2)).bitEqual(run(1, 0.1, 0.2)), "one ulp apart");
    assertFalse(run(2, -0.0).bitEqual(run(1, 0.0)), "the sign of zero is a bit too");
    assertFalse(new ScaleOut.Run(2, 100, 1, Map.of("b", new double[] {0.1, 0.2}), Map.of("b", 3L))
        .bitEqual(run(1, 0.1, 0.2)), "other classes");
    assertEquals(100, run(1, 0).imagesPerSecond(), 1e-9);
  }

  @Test
  void shouldExpectAsManyLabelsPerClassAsTheReplaySends() throws Exception {
    Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    Map<String, Long> counts = ScaleOut.expectedLabelCounts(fashion,
        ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(20_000));
    assertEquals(10, counts.size());
    assertEquals(200, counts.values().stream().mapToLong(Long::longValue).sum(), "1 % of 20,000, stratified");
  }
}
