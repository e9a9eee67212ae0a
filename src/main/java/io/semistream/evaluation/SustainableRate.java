package io.semistream.evaluation;

import java.util.Arrays;

/**
 * The highest rate the pipeline keeps up with, as stream-processing benchmarks define their maximum ("sustainable
 * throughput": the rate at which latency does not grow while the load lasts). A flood measures how fast a burst
 * drains, which overshoots it: on this machine loads at 75 % of the flood's rate already built a queue (image →
 * embedding median 2.3–2.7 s), so "100 %" measured a queue and every share of it meant more load than it said.
 * Probes are paced loads at falling shares of the flood's rate; the first whose images waited no longer at its end
 * than at its start sets the maximum.
 */
final class SustainableRate {
  /** Shares of the flood's rate probed, highest first; the last is taken if none keeps up. */
  static final int[] PROBE_PERCENTS = {100, 90, 80, 70, 60, 50, 40};
  /** Long enough that a 5 % shortfall queues up a few hundred milliseconds between the first and last quarter. */
  static final double PROBE_SECONDS = 8;
  /**
   * How much longer (ms) the last quarter's median latency may be than the first quarter's. A 200 ms commit
   * interval and a learner commit's stall move quarter medians by less than this; a queue that grows for the six
   * seconds between the two quarters adds 300 ms at 5 % over capacity.
   */
  static final double MAX_GROWTH_MS = 150;

  private SustainableRate() {
  }

  /**
   * Whether a probe kept up: its images' latencies in the order they were sent (NaN: never predicted, which never
   * keeps up), the last quarter's median at most {@link #MAX_GROWTH_MS} above the first quarter's.
   */
  static boolean keptUp(double[] latenciesInSendOrder) {
    int n = latenciesInSendOrder.length;
    int quarter = n / 4;
    if (quarter == 0) {
      throw new IllegalArgumentException("a probe needs at least 4 images, got " + n);
    }
    for (double ms : latenciesInSendOrder) {
      if (Double.isNaN(ms)) {
        return false;
      }
    }
    return median(Arrays.copyOfRange(latenciesInSendOrder, n - quarter, n))
        - median(Arrays.copyOfRange(latenciesInSendOrder, 0, quarter)) <= MAX_GROWTH_MS;
  }

  private static double median(double[] values) {
    Arrays.sort(values);
    return LatencyUnderLoad.quantile(values, 0.5);
  }
}
