package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void shouldComputeAurocFromRanksWithTiesCountingHalf() {
    boolean[] pos = {false, false, true, true};
    assertEquals(1.0, Metrics.auroc(new double[] {0.1, 0.2, 0.8, 0.9}, pos));
    assertEquals(0.0, Metrics.auroc(new double[] {0.9, 0.8, 0.2, 0.1}, pos));
    assertEquals(0.5, Metrics.auroc(new double[] {1, 1, 1, 1}, pos));
    // One positive below one negative: 3 of 4 pairs ordered right.
    assertEquals(0.75, Metrics.auroc(new double[] {0.1, 0.5, 0.4, 0.9}, pos));
    assertTrue(Double.isNaN(Metrics.auroc(new double[] {1, 2}, new boolean[] {true, true})));
  }

  @Test
  void shouldTakeNearestRankPercentiles() {
    long[] v = {5, 1, 4, 2, 3};
    assertEquals(3, Metrics.percentile(v, 0.5));
    assertEquals(5, Metrics.percentile(v, 0.99));
    assertEquals(1, Metrics.percentile(v, 0.0));
  }

  @Test
  void shouldClassifyByNearestClassMean() {
    float[][] train = {{0, 0}, {0, 2}, {10, 0}, {10, 2}};
    int[] labels = {0, 0, 1, 1};
    float[][] queries = {{1, 1}, {9, 1}, {6, 1}};
    assertArrayEquals(new int[] {0, 1, 1}, Metrics.nearestMean(train, labels, 3, queries, false));
  }

  @Test
  void shouldVoteByTheNearestLabelledExamplesWhereTheClassMeanMisleads() {
    // Class 1 has two modes (up and left): a query on the left mode is class 1 by its neighbours.
    float[][] train = {{1, 0.1f}, {1, -0.1f}, {1, 0}, {0, 1}, {0.1f, 1}, {-1, 0.05f}};
    int[] labels = {0, 0, 0, 1, 1, 1};
    float[][] queries = {{1, 0.05f}, {0.05f, 1}, {-1, 0}};
    assertArrayEquals(new int[] {0, 1, 1}, Metrics.nearestNeighbours(train, labels, 2, queries, 3));
    // k = 1 is the nearest labelled example.
    assertArrayEquals(new int[] {0, 1, 1}, Metrics.nearestNeighbours(train, labels, 2, queries, 1));
  }
}
