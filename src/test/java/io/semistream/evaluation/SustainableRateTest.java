package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SustainableRateTest {
  /** Latencies of {@code n} images, the i-th {@code base + i * growthPerImage} ms. */
  private static double[] growing(int n, double base, double growthPerImage) {
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      ms[i] = base + i * growthPerImage;
    }
    return ms;
  }

  @Test
  void shouldKeepUpWhenTheLastImagesWaitAsLongAsTheFirst() {
    assertTrue(SustainableRate.keptUp(growing(8_000, 180, 0)));
    double[] commitSawtooth = new double[8_000];
    for (int i = 0; i < commitSawtooth.length; i++) {
      commitSawtooth[i] = 40 + (i % 200);   // a 200 ms commit interval: each image waits for the next commit
    }
    assertTrue(SustainableRate.keptUp(commitSawtooth));
  }

  @Test
  void shouldNotKeepUpWhenAQueueGrowsOverTheProbe() {
    // 1,000 images/s asked, 950 carried: after 6 s between the quarters' middles the queue holds 300 ms of work.
    assertFalse(SustainableRate.keptUp(growing(8_000, 100, 300.0 / 6_000)));
  }

  @Test
  void shouldNotLetOneStallInTheMiddleDecide() {
    double[] ms = growing(8_000, 120, 0);
    for (int i = 3_000; i < 3_400; i++) {
      ms[i] = 2_000;
    }
    assertTrue(SustainableRate.keptUp(ms), "a stall that drained is not a queue that grows");
  }

  @Test
  void shouldNeverKeepUpWhenAnImageWasNotPredicted() {
    double[] ms = growing(400, 100, 0);
    ms[200] = Double.NaN;
    assertFalse(SustainableRate.keptUp(ms));
  }

  @Test
  void shouldRefuseAProbeTooShortToHaveQuarters() {
    assertThrows(IllegalArgumentException.class, () -> SustainableRate.keptUp(new double[3]));
  }
}
