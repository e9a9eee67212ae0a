package io.semistream.asking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.config.AskingSettings;
import io.semistream.records.LabelRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The choice of images to ask about, as a pure function of the pool, the classes and the earlier requests. */
class RequestChooserTest {
  private static final List<ClassView> CLASSES = List.of(
      new ClassView("a", direction(0), 10, 1, 0.1), new ClassView("b", direction(90), 10, 1, 0.1));

  private static double[] direction(double degrees) {
    double r = Math.toRadians(degrees);
    return new double[] {Math.cos(r), Math.sin(r)};
  }

  private static RequestChooser chooser(AskingSettings.Strategy strategy) {
    // Diversity 1 class spread = 0.1: a neighbourhood spans about 5.7 degrees.
    return new RequestChooser(new AskingSettings(true, strategy, 60, 0, 20, 1_000, 2_000, 1, 1.0, 1.0, 60_000));
  }

  /** A tight, dense group of 5 images around 31 degrees, and a looser one of 12 from 60 to 64.4 degrees. */
  private static List<PoolImage> pool() {
    List<PoolImage> pool = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pool.add(new PoolImage("tight-" + i, direction(30 + 0.5 * i), "m", 1, 0.99));
    }
    for (int i = 0; i < 12; i++) {
      pool.add(new PoolImage("loose-" + (char) ('a' + i), direction(60 + 0.4 * i), "m", 1, 0.9));
    }
    return pool;
  }

  @Test
  void shouldAskWhereALabelCoversMostUncoveredImagesRatherThanAtTheDensestSpot() {
    List<LabelRequest> typical = chooser(AskingSettings.Strategy.TYPICAL).choose(1, pool(), CLASSES, List.of(), 5);
    assertTrue(typical.get(0).imageId().startsWith("tight-"), "typical: the densest image " + typical);

    List<LabelRequest> covering = chooser(AskingSettings.Strategy.COVERING).choose(3, pool(), CLASSES, List.of(), 5);
    assertEquals(2, covering.size(), "one question per group, then every image lies near a request: " + covering);
    LabelRequest first = covering.get(0);
    assertTrue(first.imageId().startsWith("loose-"), first.toString());
    assertEquals(12, first.score(), "its neighbourhood holds all 12 loose images");
    assertEquals(LabelRequest.Reason.COVERING, first.reason());
    assertEquals("b", first.predictedClass());
    assertEquals("a", first.runnerUp());
    LabelRequest second = covering.get(1);
    assertEquals("tight-0", second.imageId(), "each covers all 5; ties go to the denser image, then by id");
    assertEquals(5, second.score());
  }

  @Test
  void shouldLeaveRegionsNearEarlierRequestsForTheUncoveredOnes() {
    LabelRequest earlier = new LabelRequest("old", 1, LabelRequest.Reason.COVERING, "earlier", "b", "a", null, "m", 1,
        0, null, null).answered("b", 1);
    List<Asked> asked = List.of(new Asked(earlier, direction(62)));
    List<LabelRequest> covering = chooser(AskingSettings.Strategy.COVERING).choose(1, pool(), CLASSES, asked, 5);
    assertEquals(1, covering.size());
    assertTrue(covering.get(0).imageId().startsWith("tight-"), "the loose group is covered already: " + covering);
  }
}
