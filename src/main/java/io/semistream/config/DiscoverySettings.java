package io.semistream.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * New-class discovery: how anomalies are clustered online and when a cluster becomes a class candidate. Distances
 * are between unit vectors and scaled by the labelled classes' own spread (their median root-mean-square distance
 * to their prototype), so that "as tight as a known class" means the same in every encoder's space.
 *
 * @param radius an anomaly joins the nearest micro-cluster within this many class spreads
 * @param link micro-clusters whose centres lie within this many class spreads belong to one cluster
 * @param minSize anomalies a cluster must hold (recently, with fading) to become a candidate
 * @param maxSpread a candidate is at most this many class spreads wide (root-mean-square, about its centroid)
 * @param microClusters bound on the micro-clusters kept (the lightest is dropped for a new one)
 * @param halfLife anomalies after which a micro-cluster's weight has halved: a cluster must stay dense
 */
public record DiscoverySettings(boolean enabled, double radius, double link, int minSize, double maxSpread,
    int microClusters, int halfLife) {
  public static final String ENABLED = "discovery.enabled";
  public static final String RADIUS = "discovery.radius";
  public static final String LINK = "discovery.link";
  public static final String MIN_SIZE = "discovery.min.size";
  public static final String MAX_SPREAD = "discovery.max.spread";
  public static final String MICRO_CLUSTERS = "discovery.micro.clusters";
  public static final String HALF_LIFE = "discovery.half.life";

  public DiscoverySettings {
    if (!(radius > 0) || !(link >= radius) || !(maxSpread > 0) || !Double.isFinite(link)
        || !Double.isFinite(maxSpread)) {
      throw new IllegalArgumentException("discovery radius > 0, link >= radius and max spread > 0, all finite");
    }
    if (minSize < 2 || microClusters < 2 || halfLife < 1) {
      throw new IllegalArgumentException("discovery min size >= 2, micro-clusters >= 2 and half-life >= 1");
    }
  }

  static void define(ConfigDef def) {
    def.define(ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
            "Run the discovery service with every learner: anomalies are clustered and dense, coherent clusters "
                + "published on class-candidates.")
        .define(RADIUS, Type.DOUBLE, 0.75, Range.between(0.01, 10.0), Importance.LOW,
            "An anomaly joins the nearest micro-cluster within this many class spreads, else starts one.")
        .define(LINK, Type.DOUBLE, 0.75, Range.between(0.01, 20.0), Importance.LOW,
            "Micro-clusters whose centres lie within this many class spreads form one cluster (>= radius).")
        .define(MIN_SIZE, Type.INT, 100, Range.between(2, 10_000_000), Importance.MEDIUM,
            "Anomalies (faded by the half-life) a cluster must hold to become a class candidate.")
        .define(MAX_SPREAD, Type.DOUBLE, 1.0, Range.between(0.01, 10.0), Importance.MEDIUM,
            "A candidate is at most this many class spreads wide: as tight as a labelled class.")
        .define(MICRO_CLUSTERS, Type.INT, 300, Range.between(2, 100_000), Importance.LOW,
            "Micro-clusters kept (bounded memory); the lightest makes room for a new one.")
        .define(HALF_LIFE, Type.INT, 5_000, Range.between(1, 100_000_000), Importance.LOW,
            "Anomalies after which a micro-cluster's weight has halved: a cluster must stay dense to stay a "
                + "candidate.");
  }

  static DiscoverySettings read(ParsedValues v) {
    DiscoverySettings s;
    try {
      s = new DiscoverySettings(v.bool(ENABLED), v.decimal(RADIUS), v.decimal(LINK), v.integer(MIN_SIZE),
          v.decimal(MAX_SPREAD), v.integer(MICRO_CLUSTERS), v.integer(HALF_LIFE));
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigurationException(java.util.List.of(e.getMessage()));
    }
    return s;
  }

  public DiscoverySettings withEnabled(boolean on) {
    return new DiscoverySettings(on, radius, link, minSize, maxSpread, microClusters, halfLife);
  }

  public DiscoverySettings withMinSize(int newMinSize) {
    return new DiscoverySettings(enabled, radius, link, newMinSize, maxSpread, microClusters, halfLife);
  }
}
