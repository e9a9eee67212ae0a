package io.semistream.discovery;

import io.semistream.vectors.Vectors;
import io.semistream.config.DiscoverySettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Online clustering of anomalies with bounded memory, in two levels as DBSTREAM and CluStream do it: each anomaly
 * joins the nearest micro-cluster within {@code radius} (else starts one, evicting the lightest when {@code
 * microClusters} exist), and clusters are the connected groups of micro-clusters whose centres lie within {@code
 * link}. Both distances are in units of {@code scale}, the labelled classes' typical spread. Pure: no Kafka, no
 * store; the caller persists what {@link #absorb} reports.
 *
 * <p>Why micro-clusters and not streaming k-means: the number of new classes is unknown (usually zero), and
 * k-means puts every point in some cluster, so false candidates would be the rule. Measured offline on the
 * autoencoder's embeddings of Fashion-MNIST anomalies (the learner's rule: 99th percentile of the distance to
 * 1 %-label prototypes) with "Ankle boot" never labelled, seeds 42 and 1: radius and link of 1.0 spread let
 * neighbouring known-class outliers chain into the cluster (63 and 75 % of its exemplars ankle boots); 0.75 and
 * 0.5 kept every exemplar an ankle boot. Held out "Sandal", 0.75 also found it (all exemplars sandals) where 0.5
 * found only a cluster of odd bags.
 */
final class StreamClusterer {
  /** What one anomaly changed: the micro-cluster written, and the one evicted to make room (or null). */
  record Change(MicroCluster written, Long evicted) {
  }

  /** A connected group of micro-clusters (weights and sums faded to the same moment). */
  record Cluster(double[] centroid, double spread, double weight, long count, List<String> exemplars,
      long firstSeen, long lastSeen) {
  }

  static final int EXEMPLARS = 8;

  private final DiscoverySettings settings;
  private final Map<Long, MicroCluster> micro = new LinkedHashMap<>();
  private final Map<Long, double[]> centres = new HashMap<>();

  StreamClusterer(DiscoverySettings settings, Iterable<MicroCluster> restored) {
    this.settings = settings;
    restored.forEach(this::put);
  }

  private void put(MicroCluster c) {
    micro.put(c.id(), c);
    centres.put(c.id(), c.centre());
  }

  /**
   * The cluster (as {@link #clusters} has it) whose micro-clusters hold {@code imageId} as exemplar or recent
   * member; null if none does.
   */
  Cluster clusterHolding(String imageId, long tick, double scale) {
    for (List<MicroCluster> group : groups(tick, scale)) {
      if (group.stream().anyMatch(c -> c.holds(imageId))) {
        return cluster(group, tick);
      }
    }
    return null;
  }

  int size() {
    return micro.size();
  }

  void clear() {
    micro.clear();
    centres.clear();
  }

  /**
   * Adds one anomaly ({@code unit}: its embedding as a unit vector) as the {@code tick}-th seen; {@code newId} names
   * a micro-cluster it may start.
   */
  Change absorb(double[] unit, long tick, double scale, long newId, String imageId, long eventTime) {
    MicroCluster nearest = null;
    double best = Double.POSITIVE_INFINITY;
    for (MicroCluster c : micro.values()) {
      double d = Vectors.distance(centres.get(c.id()), unit);
      if (d < best) {
        best = d;
        nearest = c;
      }
    }
    if (nearest != null && best <= settings.radius() * scale) {
      MicroCluster updated = nearest.absorb(unit, tick, settings.halfLife(), imageId, eventTime);
      put(updated);
      return new Change(updated, null);
    }
    Long evicted = null;
    if (micro.size() >= settings.microClusters()) {
      evicted = micro.values().stream()
          .min(Comparator.comparingDouble((MicroCluster c) -> c.weightAt(tick, settings.halfLife()))
              .thenComparingLong(MicroCluster::id))
          .map(MicroCluster::id).orElseThrow();
      micro.remove(evicted);
      centres.remove(evicted);
    }
    MicroCluster created = MicroCluster.of(newId, unit, tick, imageId, eventTime);
    put(created);
    return new Change(created, evicted);
  }

  /**
   * The clusters as of {@code tick}: micro-clusters still holding at least one anomaly's weight, grouped by
   * single linkage within {@code link} spreads; heaviest first.
   */
  List<Cluster> clusters(long tick, double scale) {
    List<Cluster> out = new ArrayList<>();
    for (List<MicroCluster> g : groups(tick, scale)) {
      out.add(cluster(g, tick));
    }
    out.sort(Comparator.comparingDouble(Cluster::weight).reversed());
    return out;
  }

  private Collection<List<MicroCluster>> groups(long tick, double scale) {
    List<MicroCluster> live = micro.values().stream()
        .filter(c -> c.weightAt(tick, settings.halfLife()) >= 1.0).toList();
    int n = live.size();
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    double link = settings.link() * scale;
    for (int i = 0; i < n; i++) {
      double[] a = centres.get(live.get(i).id());
      for (int j = i + 1; j < n; j++) {
        if (Vectors.distance(a, centres.get(live.get(j).id())) <= link) {
          parent[root(parent, i)] = root(parent, j);
        }
      }
    }
    Map<Integer, List<MicroCluster>> groups = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      groups.computeIfAbsent(root(parent, i), k -> new ArrayList<>()).add(live.get(i));
    }
    return groups.values();
  }

  private Cluster cluster(List<MicroCluster> group, long tick) {
    int dim = group.get(0).sum().length;
    double[] sum = new double[dim];
    double weight = 0;
    long count = 0;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (MicroCluster c : group) {
      double f = c.fade(tick, settings.halfLife());
      for (int i = 0; i < dim; i++) {
        sum[i] += c.sum()[i] * f;
      }
      weight += c.weight() * f;
      count += c.count();
      first = Math.min(first, c.firstSeen());
      last = Math.max(last, c.lastSeen());
    }
    // For unit vectors the mean resultant length r gives the RMS distance to the mean direction: sqrt(2 (1 - r)).
    double r = Math.min(1, Vectors.norm(sum) / weight);
    List<String> exemplars = group.stream()
        .sorted(Comparator.comparingDouble((MicroCluster c) -> -c.weightAt(tick, settings.halfLife()))
            .thenComparingLong(MicroCluster::id))
        .limit(EXEMPLARS).map(MicroCluster::exemplar).toList();
    return new Cluster(Vectors.unit(sum), Math.sqrt(2 * (1 - r)), weight, count, exemplars, first, last);
  }

  private static int root(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }
}
