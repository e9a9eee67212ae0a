package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.semistream.config.DistanceMetric;
import io.semistream.records.Exemplar;
import io.semistream.records.Prototype;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExemplarVoteTest {
  private static final PrototypeClassifier COSINE = new PrototypeClassifier(DistanceMetric.COSINE, 0.1);

  private static Prototype prototype(String name, double... v) {
    return new Prototype(name, v, 4, 0.1, 1, 0, "m", 1, 4, 0, v);
  }

  private static Exemplar exemplar(String name, float... v) {
    return new Exemplar(name, v, "m", 1, 0);
  }

  private static double weight(double cosine, double temperature) {
    return Math.exp((cosine - 1) / temperature);
  }

  @Test
  void shouldLetTheNearestLabelledImagesOutvoteTheNearestClassMean() {
    // Class a's mean points along x; b's labelled images lie on both sides of a, so b's mean points along y.
    // An image at 20 degrees from x is nearest to a's mean, but b's labelled image at 15 degrees is nearer still.
    List<Prototype> prototypes = List.of(prototype("a", 1, 0), prototype("b", 0.26, 1));
    PrototypeIndex index = PrototypeIndex.of(prototypes, true, DistanceMetric.COSINE);
    ExemplarSet exemplars = ExemplarSet.of(List.of(exemplar("a", 1, 0), exemplar("a", 1, -0.2f),
        exemplar("b", (float) Math.cos(Math.toRadians(15)), (float) Math.sin(Math.toRadians(15))),
        exemplar("b", -0.5f, 1)), 100);
    float[] image = {(float) Math.cos(Math.toRadians(20)), (float) Math.sin(Math.toRadians(20))};
    Ranking byMeans = COSINE.rank(image, index);
    assertEquals("a", byMeans.best());

    Ranking voted = new ExemplarVote(2, 0.05, 1).rank(image, byMeans, index, exemplars);

    assertEquals("b", voted.best());
    assertEquals("a", voted.runnerUp());
    // Votes: b's image at 5 degrees, a's at 20 degrees (the two nearest), and each prototype at its own cosine.
    double b = weight(Math.cos(Math.toRadians(5)), 0.05) + weight(cosine(image, 0.26, 1), 0.05);
    double a = weight(Math.cos(Math.toRadians(20)), 0.05) + weight(cosine(image, 1, 0), 0.05);
    assertEquals(b / (a + b), voted.confidence(), 1e-6);
    assertEquals((b - a) / (a + b), voted.margin(), 1e-6);
    assertEquals(1 - cosine(image, 0.26, 1), voted.bestDistance(), 1e-6);
    assertEquals(byMeans.nearestEuclidean(), voted.nearestEuclidean());
  }

  @Test
  void shouldLeaveThePrototypesRankingWhenNoLabelledImageOfTheVersionCanVote() {
    List<Prototype> prototypes = List.of(prototype("a", 1, 0), prototype("b", 0, 1));
    PrototypeIndex index = PrototypeIndex.of(prototypes, true, DistanceMetric.COSINE);
    float[] image = {1, 0.1f};
    Ranking byMeans = COSINE.rank(image, index);
    ExemplarVote vote = new ExemplarVote(3, 0.05, 1);

    assertSame(byMeans, vote.rank(image, byMeans, index, null));
    assertSame(byMeans, vote.rank(new float[] {0, 0}, byMeans, index, ExemplarSet.of(List.of(exemplar("a", 1, 0)), 5)));
    assertNull(vote.rank(image, null, index, ExemplarSet.of(List.of(exemplar("a", 1, 0)), 5)));
  }

  @Test
  void shouldCountOnlyThePrototypesVotesForAClassWithoutLabelledImagesNearby() {
    List<Prototype> prototypes = List.of(prototype("a", 1, 0), prototype("b", 0, 1));
    PrototypeIndex index = PrototypeIndex.of(prototypes, true, DistanceMetric.COSINE);
    ExemplarSet onlyA = ExemplarSet.of(List.of(exemplar("a", 1, 0.05f)), 5);
    float[] image = {0.1f, 1};

    Ranking voted = new ExemplarVote(1, 0.05, 1).rank(image, COSINE.rank(image, index), index, onlyA);

    // a's one labelled image votes from far away; b's prototype alone outweighs it.
    assertEquals("b", voted.best());
    double b = weight(cosine(image, 0, 1), 0.05);
    double a = weight(cosine(image, 1, 0.05), 0.05) + weight(cosine(image, 1, 0), 0.05);
    assertEquals(b / (a + b), voted.confidence(), 1e-6);
  }

  @Test
  void shouldPickTheLargestValuesInOrderPreferringTheEarlierOnTies() {
    double[] values = {0.1, 0.9, 0.5, 0.9, -1, 0.7};
    assertArrayEquals(new int[] {1, 3, 5}, ExemplarVote.nearest(values, 3));
    assertArrayEquals(new int[] {1, 3, 5, 2, 0, 4}, ExemplarVote.nearest(values, 6));
    assertArrayEquals(new int[] {1}, ExemplarVote.nearest(values, 1));
  }

  @Test
  void shouldKeepTheFirstLabelledImagesOfEachClassUpToTheCapAndSkipZeroVectors() {
    ExemplarSet set = ExemplarSet.of(List.of(exemplar("a", 1, 0), exemplar("b", 0, 0), exemplar("a", 0, 2),
        exemplar("a", 3, 3), exemplar("b", 0, 1)), 2);

    assertEquals(3, set.size());
    assertEquals(List.of("a", "a", "b"), List.of(set.className(0), set.className(1), set.className(2)));
    double[] cosines = new double[3];
    set.cosines(new float[] {0, 1}, cosines);
    assertArrayEquals(new double[] {0, 1, 1}, cosines, 1e-6);
    assertNull(ExemplarSet.of(List.of(exemplar("a", 0, 0)), 2));
  }

  @Test
  void shouldRefuseAVoteWithoutNeighboursOrWithANonPositiveTemperature() {
    assertThrows(IllegalArgumentException.class, () -> new ExemplarVote(0, 0.05, 1));
    assertThrows(IllegalArgumentException.class, () -> new ExemplarVote(3, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new ExemplarVote(3, 0.05, -1));
  }

  private static double cosine(float[] v, double x, double y) {
    return (v[0] * x + v[1] * y) / Math.hypot(v[0], v[1]) / Math.hypot(x, y);
  }
}
