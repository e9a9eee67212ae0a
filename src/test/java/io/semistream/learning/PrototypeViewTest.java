package io.semistream.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.semistream.records.Prototype;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrototypeViewTest {
  @Test
  void shouldReadTheTableOnTheFirstUnforcedRefreshAndThenAtMostEveryRefreshInterval() {
    MapStore<Prototype> store = new MapStore<>();
    store.table.put("a", new Prototype("a", new double[] {1, 0}, 2, 0.1, 1, 0, "m", 1, 2, 0, new double[] {1, 0}));
    PrototypeView view = new PrototypeView(store, null, null, 3_600_000, 3);

    // A task's first record: before, the "last refresh" of Long.MIN_VALUE overflowed the interval check, so the
    // view stayed empty until the first forced refresh (the relabel punctuation, 5 s after a start).
    view.refreshIfStale(false);
    assertEquals(List.of("a"), view.all().stream().map(Prototype::className).toList());

    store.table.put("b", new Prototype("b", new double[] {0, 1}, 2, 0.1, 1, 0, "m", 1, 2, 0, new double[] {0, 1}));
    view.refreshIfStale(false);
    assertEquals(1, view.all().size(), "within the interval the cached view serves");
    view.refreshIfStale(true);
    assertEquals(2, view.all().size());
  }
}
