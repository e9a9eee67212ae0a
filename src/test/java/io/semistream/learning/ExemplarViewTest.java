package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.semistream.records.Exemplar;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ExemplarViewTest {
  private final MapStore<Exemplar> store = new MapStore<>();
  private final TreeMap<String, Exemplar> table = store.table;

  private static Exemplar exemplar(String className, int version, float... v) {
    return new Exemplar(className, v, "m", version, 0);
  }

  @Test
  void shouldSeeANewLabelledImageAtOnceAndAReplacedOneWhenItsRefreshIsDue() {
    ExemplarView view = new ExemplarView(store(), 10, 3_600_000);
    table.put("img-1", exemplar("a", 1, 1, 0));
    view.refreshIfStale(false);
    assertEquals(1, view.forVersion(1).size());

    table.put("img-2", exemplar("b", 1, 0, 1));   // one more: the count changed, seen at once
    view.refreshIfStale(false);
    assertEquals(2, view.forVersion(1).size());

    table.put("img-2", exemplar("b", 2, 0, 1));   // re-embedded by v2: same count, the hour is not up
    view.refreshIfStale(false);
    assertEquals(2, view.forVersion(1).size());
    assertNull(view.forVersion(2));

    view.refreshIfStale(true);
    assertEquals(1, view.forVersion(1).size());
    assertEquals("b", view.forVersion(2).className(0));
  }

  @Test
  void shouldLetAtMostTheCappedNumberOfImagesPerClassVoteTheFirstByImageId() {
    table.put("img-3", exemplar("a", 1, 0, 1));
    table.put("img-1", exemplar("a", 1, 1, 0));
    table.put("img-2", exemplar("a", 1, 1, 1));
    table.put("img-4", exemplar("b", 1, -1, 0));
    ExemplarView view = new ExemplarView(store(), 2, 0);
    view.refreshIfStale(false);

    ExemplarSet set = view.forVersion(1);
    assertEquals(3, set.size());
    double[] cosines = new double[3];
    set.cosines(new float[] {1, 0}, cosines);
    // img-1 and img-2 of class a (img-3 is beyond the cap), then img-4 of class b.
    assertEquals(1, cosines[0], 1e-6);
    assertEquals(Math.sqrt(0.5), cosines[1], 1e-6);
    assertEquals(-1, cosines[2], 1e-6);
  }

  private MapStore<Exemplar> store() {
    return store;
  }
}
