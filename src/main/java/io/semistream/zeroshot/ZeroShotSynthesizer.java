package io.semistream.zeroshot;

import io.semistream.records.Prototype;
import io.semistream.records.SynthesizedPrototype;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which classes need a synthesized prototype and what it is: a pure function of the semantic vectors and the
 * real prototypes, so the same tables give the same bits on any instance and after any restart.
 *
 * <ul>
 *   <li>Seen classes: a semantic vector and a prototype with true labels, all of one encoder version (the version
 *       most of them share; the newer on a tie: after a promotion the prototypes move to it class by class).</li>
 *   <li>The map is fitted on the seen classes' true-label means, not the blended prototypes: it then changes only
 *       when labels arrive or the encoder changes, not with every pseudo-label.</li>
 *   <li>Unseen classes: a semantic vector and no prototype with true labels. When labels arrive for one, its
 *       real prototype takes over (its synthesized one is withdrawn).</li>
 * </ul>
 */
final class ZeroShotSynthesizer {
  private final double lambda;

  ZeroShotSynthesizer(double lambda) {
    this.lambda = lambda;
  }

  /**
   * @param semantics class -> semantic vector (all of one length)
   * @param prototypes class -> the latest real prototype
   * @return class -> synthesized prototype; empty when fewer than two seen classes can anchor the map
   */
  SortedMap<String, SynthesizedPrototype> synthesize(Map<String, double[]> semantics,
      Map<String, Prototype> prototypes, long now) {
    SortedMap<String, SynthesizedPrototype> out = new TreeMap<>();
    int version = anchorVersion(semantics, prototypes);
    if (version < 0) {
      return out;
    }
    List<String> seen = new ArrayList<>();
    List<double[]> s = new ArrayList<>();
    List<double[]> p = new ArrayList<>();
    List<Double> spreads = new ArrayList<>();
    String modelId = null;
    for (String c : new TreeMap<>(semantics).keySet()) {
      Prototype proto = prototypes.get(c);
      if (hasLabels(proto) && proto.modelVersion() == version) {
        seen.add(c);
        s.add(semantics.get(c));
        p.add(proto.labelledVectorView());
        spreads.add(proto.spread());
        modelId = proto.modelId();
      }
    }
    List<String> unseen = new TreeMap<>(semantics).keySet().stream().filter(c -> !hasLabels(prototypes.get(c)))
        .toList();
    if (unseen.isEmpty()) {
      return out;
    }
    RidgeMap map = RidgeMap.fit(s.toArray(double[][]::new), p.toArray(double[][]::new), lambda);
    double spread = median(spreads);
    for (String c : unseen) {
      out.put(c, new SynthesizedPrototype(c, map.apply(semantics.get(c)), spread, modelId, version, seen, lambda,
          now));
    }
    return out;
  }

  /** The encoder version most seen classes' prototypes share (newest on a tie); -1 with fewer than two. */
  private static int anchorVersion(Map<String, double[]> semantics, Map<String, Prototype> prototypes) {
    Map<Integer, Integer> counts = new TreeMap<>();
    semantics.keySet().forEach(c -> {
      Prototype p = prototypes.get(c);
      if (hasLabels(p)) {
        counts.merge(p.modelVersion(), 1, Integer::sum);
      }
    });
    int best = -1;
    int bestCount = 1;
    for (var e : counts.entrySet()) {
      if (e.getValue() >= bestCount && e.getValue() >= 2) {
        best = e.getKey();
        bestCount = e.getValue();
      }
    }
    return best;
  }

  static boolean hasLabels(Prototype p) {
    return p != null && p.labelledCount() > 0 && p.labelledVectorView() != null;
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
