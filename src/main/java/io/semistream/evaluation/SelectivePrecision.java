package io.semistream.evaluation;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How good the service's confidence is at ranking its own predictions: the precision of the most confident
 * share of them, for shares of 10 %, 20 %, ... 100 % (a risk-coverage curve), and the largest share still at a
 * given precision. It answers "if the confident predictions were taken as pseudo-labels down to a coverage of
 * 50 %, how precise would they be?", independently of the thresholds the learner happens to use.
 */
final class SelectivePrecision {
  private SelectivePrecision() {
  }

  /** One prediction: its confidence and whether it was right. */
  record Scored(double confidence, boolean correct) {
  }

  /**
   * Precision of the top {@code k}/10 by confidence, k = 1..10 (ties broken towards the wrong ones, so that a
   * flat confidence earns no credit), keyed "10%".."100%"; plus "coverageAtPrecision" for {@code precision}.
   */
  static Map<String, Double> curve(Scored[] predictions, double precision) {
    Scored[] sorted = predictions.clone();
    Arrays.sort(sorted, (a, b) -> a.confidence() != b.confidence() ? Double.compare(b.confidence(), a.confidence())
        : Boolean.compare(a.correct(), b.correct()));
    Map<String, Double> out = new LinkedHashMap<>();
    int n = sorted.length;
    int[] correctUpTo = new int[n + 1];
    for (int i = 0; i < n; i++) {
      correctUpTo[i + 1] = correctUpTo[i] + (sorted[i].correct() ? 1 : 0);
    }
    for (int k = 1; k <= 10; k++) {
      int top = (int) Math.round(n * k / 10.0);
      out.put(k * 10 + "%", top == 0 ? Double.NaN : correctUpTo[top] / (double) top);
    }
    int largest = 0;
    for (int top = 1; top <= n; top++) {
      if (correctUpTo[top] >= precision * top) {
        largest = top;
      }
    }
    out.put("coverageAtPrecision", n == 0 ? Double.NaN : largest / (double) n);
    return out;
  }
}
