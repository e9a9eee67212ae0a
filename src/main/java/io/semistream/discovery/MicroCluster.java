package io.semistream.discovery;

import io.semistream.vectors.Vectors;
import java.util.ArrayList;
import java.util.List;

/**
 * A small, tight group of anomalies: the faded sum of its members as unit vectors, their faded weight and how many
 * there were. Weights fade with the number of anomalies seen since {@code tick} (half-life in anomalies, not
 * time: a quiet stream does not dissolve what it found). The member nearest the moving centre is the exemplar a
 * person is shown ({@code exemplarVector} is kept to compare newcomers with it).
 */
record MicroCluster(long id, double[] sum, double weight, long count, long tick, String exemplar,
    double[] exemplarVector, long firstSeen, long lastSeen, List<String> recent, List<String> formerExemplars) {
  /**
   * Recent member ids and former exemplars kept: a person labels an image they were shown, and by the time the
   * label arrives the exemplar may have moved on; a label on any of these still names the cluster.
   */
  static final int RECENT = 16;

  MicroCluster {
    if (sum == null || sum.length == 0 || !(weight > 0) || count < 1 || exemplar == null || exemplarVector == null
        || exemplarVector.length != sum.length) {
      throw new IllegalArgumentException("a micro-cluster needs a sum, a positive weight, members and an exemplar");
    }
    recent = recent == null ? List.of() : List.copyOf(recent);
    formerExemplars = formerExemplars == null ? List.of() : List.copyOf(formerExemplars);
  }

  static MicroCluster of(long id, double[] unit, long tick, String imageId, long eventTime) {
    return new MicroCluster(id, unit.clone(), 1.0, 1, tick, imageId, unit.clone(), eventTime, eventTime,
        List.of(imageId), List.of());
  }

  /** The exemplar, a former one or one of the recent members. */
  boolean holds(String imageId) {
    return exemplar.equals(imageId) || recent.contains(imageId) || formerExemplars.contains(imageId);
  }

  /** The weight left at {@code now} (anomalies seen so far). */
  double weightAt(long now, int halfLife) {
    return weight * fade(now, halfLife);
  }

  double fade(long now, int halfLife) {
    return Math.pow(0.5, Math.max(0, now - tick) / (double) halfLife);
  }

  /** Unit-length centre. */
  double[] centre() {
    return Vectors.unit(sum);
  }

  /** This cluster with {@code unit} added at {@code now}; the exemplar kept unless the newcomer is more central. */
  MicroCluster absorb(double[] unit, long now, int halfLife, String imageId, long eventTime) {
    double f = fade(now, halfLife);
    double[] next = new double[sum.length];
    for (int i = 0; i < next.length; i++) {
      next[i] = sum[i] * f + unit[i];
    }
    double[] centre = Vectors.unit(next);
    boolean central = Vectors.distance(centre, unit) < Vectors.distance(centre, exemplarVector);
    return new MicroCluster(id, next, weight * f + 1, count + 1, now, central ? imageId : exemplar,
        central ? unit.clone() : exemplarVector, Math.min(firstSeen, eventTime), Math.max(lastSeen, eventTime),
        appended(recent, imageId), central ? appended(formerExemplars, exemplar) : formerExemplars);
  }

  private static List<String> appended(List<String> ring, String id) {
    List<String> out = new ArrayList<>(ring);
    out.add(id);
    if (out.size() > RECENT) {
      out.remove(0);
    }
    return out;
  }
}
