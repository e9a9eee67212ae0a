package io.semistream.evaluation;

import java.time.Duration;

/**
 * Where the eval's labels come from: the replay's stratified random draw ({@code random}), or the service's
 * label requests answered by a simulated person ({@code active}) within {@code budget} requests.
 *
 * @param annotatorDelay how long the simulated person takes to answer a request
 */
public record LabelStrategy(boolean active, long budget, Duration annotatorDelay) {
  public static final LabelStrategy RANDOM = new LabelStrategy(false, 0, Duration.ZERO);

  public LabelStrategy {
    if (budget < 0 || annotatorDelay == null || annotatorDelay.isNegative()) {
      throw new IllegalArgumentException("label budget >= 0 and annotator delay >= 0");
    }
    if (active && budget == 0) {
      throw new IllegalArgumentException("--label-strategy active needs --label-budget N (N >= 1)");
    }
  }
}
