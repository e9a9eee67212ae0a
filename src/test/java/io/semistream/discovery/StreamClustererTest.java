package io.semistream.discovery;

import io.semistream.vectors.Vectors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.DiscoverySettings;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamClustererTest {
  static final int DIM = 8;

  static DiscoverySettings settings(int microClusters, int halfLife) {
    return new DiscoverySettings(true, 1.0, 1.5, 20, 1.0, microClusters, halfLife);
  }

  /** A unit vector near axis {@code axis}: noise of standard deviation {@code noise} on every coordinate. */
  static double[] near(int axis, double noise, Random random) {
    double[] v = new double[DIM];
    v[axis] = 1;
    for (int i = 0; i < DIM; i++) {
      v[i] += noise * random.nextGaussian();
    }
    return Vectors.unit(v);
  }

  @Test
  void shouldFindTwoTightGroupsAsTwoClustersAndKeepScatteredPointsApart() {
    StreamClusterer c = new StreamClusterer(settings(300, 100_000), List.of());
    Random random = new Random(1);
    long tick = 0;
    long id = 1;
    for (int i = 0; i < 300; i++) {
      int axis = i % 3 == 2 ? 2 + random.nextInt(DIM - 2) : i % 3;
      double noise = i % 3 == 2 ? 0.8 : 0.05;
      StreamClusterer.Change ch = c.absorb(near(axis, noise, random), tick++, 0.3, id, "img-" + i, i);
      id += ch.written().count() == 1 ? 1 : 0;
    }
    List<StreamClusterer.Cluster> clusters = c.clusters(tick, 0.3);
    StreamClusterer.Cluster first = clusters.get(0);
    StreamClusterer.Cluster second = clusters.get(1);
    assertEquals(100, first.count());
    assertEquals(100, second.count());
    assertTrue(first.spread() < 0.15, "tight: " + first.spread());
    // The two groups lie on axes 0 and 1, and each exemplar is one of its own group's images (i % 3 == axis).
    assertTrue(Math.abs(first.centroid()[0]) > 0.95 || Math.abs(first.centroid()[1]) > 0.95);
    int axis = Math.abs(first.centroid()[0]) > 0.95 ? 0 : 1;
    first.exemplars().forEach(e -> assertEquals(axis, Integer.parseInt(e.substring(4)) % 3, e));
    assertTrue(clusters.stream().skip(2).allMatch(x -> x.count() < 20), "the scattered ones make no big cluster");
  }

  @Test
  void shouldNeverHoldMoreMicroClustersThanTheBoundEvictingTheLightest() {
    StreamClusterer c = new StreamClusterer(settings(5, 100_000), List.of());
    Random random = new Random(2);
    long id = 1;
    // A heavy group first, then scattered points that each start a micro-cluster.
    for (int i = 0; i < 50; i++) {
      c.absorb(near(0, 0.01, random), i, 0.3, id, "heavy-" + i, i);
    }
    id++;
    for (int i = 0; i < 40; i++) {
      StreamClusterer.Change ch = c.absorb(near(1 + i % (DIM - 1), 2.0, random), 50 + i, 0.05, id++, "x" + i, i);
      assertTrue(c.size() <= 5);
      if (ch.evicted() != null) {
        assertTrue(ch.evicted() != 1L, "the heavy micro-cluster outweighs every newcomer and stays");
      }
    }
    assertEquals(5, c.size());
    assertEquals(50, c.clusters(90, 0.05).get(0).count());
  }

  @Test
  void shouldLetAClusterThatStopsGrowingFadeBelowTheSizeOfAnyCandidate() {
    StreamClusterer c = new StreamClusterer(settings(300, 50), List.of());
    Random random = new Random(3);
    for (int i = 0; i < 100; i++) {
      c.absorb(near(0, 0.02, random), i, 0.3, 1, "a" + i, i);
    }
    double fresh = c.clusters(100, 0.3).get(0).weight();
    // 500 anomalies elsewhere later: ten half-lives.
    for (int i = 0; i < 500; i++) {
      c.absorb(near(1, 0.02, random), 100 + i, 0.3, 2, "b" + i, i);
    }
    List<StreamClusterer.Cluster> now = c.clusters(600, 0.3);
    assertTrue(fresh > 40, "weight just after (faded within its own 100 anomalies too): " + fresh);
    assertEquals(1, now.size(), "the faded one is no longer a live cluster");
    assertNotNull(now.get(0).exemplars().get(0));
    assertTrue(now.get(0).exemplars().get(0).startsWith("b"));
  }

  @Test
  void shouldMeasureSpreadAsTheRootMeanSquareDistanceToTheCentroid() {
    StreamClusterer c = new StreamClusterer(settings(300, 100_000), List.of());
    // Two points at +-30 degrees around axis 0: each is 2 sin(15 deg) away from the centroid.
    double a = Math.toRadians(30);
    double[] p = new double[DIM];
    p[0] = Math.cos(a);
    p[1] = Math.sin(a);
    double[] q = p.clone();
    q[1] = -q[1];
    c.absorb(p, 0, 10, 1, "p", 0);
    c.absorb(q, 1, 10, 2, "q", 1);
    StreamClusterer.Cluster only = c.clusters(2, 10).get(0);
    assertEquals(2 * Math.sin(Math.toRadians(15)), only.spread(), 1e-9);
    assertEquals(1.0, only.centroid()[0], 1e-9);
  }
}
