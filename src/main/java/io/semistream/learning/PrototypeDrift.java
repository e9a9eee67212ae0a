package io.semistream.learning;

import java.util.HashMap;
import java.util.Map;

/**
 * How far prototypes moved since the backlog was last re-classified: a relabel round runs only when some class
 * moved by more than a fraction of its norm (or the set of classes changed), so small pseudo-label churn does
 * not re-scan the backlog.
 */
final class PrototypeDrift {
  private final double minDrift;
  private Map<String, double[]> lastRelabel = new HashMap<>();

  PrototypeDrift(double minDrift) {
    this.minDrift = minDrift;
  }

  /** True when {@code now} differs from the last accepted snapshot by more than the minimum drift. */
  boolean moved(Map<String, double[]> now) {
    if (!now.keySet().equals(lastRelabel.keySet())) {
      return !now.isEmpty();
    }
    for (var e : now.entrySet()) {
      if (relative(e.getValue(), lastRelabel.get(e.getKey())) > minDrift) {
        return true;
      }
    }
    return false;
  }

  /** Largest relative movement of a class present in both (0 when none). */
  double maxDrift(Map<String, double[]> now) {
    double max = 0;
    for (var e : now.entrySet()) {
      double[] then = lastRelabel.get(e.getKey());
      if (then != null) {
        max = Math.max(max, relative(e.getValue(), then));
      }
    }
    return max;
  }

  /** The backlog was re-classified against {@code now}: later drift is measured from here. */
  void accept(Map<String, double[]> now) {
    lastRelabel = now;
  }

  private static double relative(double[] now, double[] then) {
    if (now.length != then.length) {
      return Double.POSITIVE_INFINITY;
    }
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < then.length; i++) {
      diff += (now[i] - then[i]) * (now[i] - then[i]);
      norm += then[i] * then[i];
    }
    return Math.sqrt(diff) / Math.max(1e-12, Math.sqrt(norm));
  }
}
