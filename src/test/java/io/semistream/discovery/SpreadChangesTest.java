package io.semistream.discovery;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SpreadChangesTest {
  private final JsonSerde<Prototype> serde = new JsonSerde<>(Prototype.class);
  private final io.semistream.kafka.ChangedValues<Prototype> filter = SpreadChanges.filter(serde);

  private byte[] proto(double spread, long labels, int modelVersion) {
    return serde.encode(new Prototype("Bag", new double[] {3, 4}, labels, spread, 1, 1, "m", modelVersion, labels,
        0, new double[] {3, 4}));
  }

  @Test
  void shouldPassOnlyWhatChangesTheClassSpreadDiscoveryUses() {
    assertTrue(filter.admit("Bag", proto(1.0, 5, 1)), "the first of a class");
    assertFalse(filter.admit("Bag", proto(1.01, 5, 1)), "a pseudo-label update moving the spread by 1 %");
    assertTrue(filter.admit("Bag", proto(1.05, 5, 1)), "moved by more than 2 % of the last passed");
    assertTrue(filter.admit("Bag", proto(1.05, 6, 1)), "another true label");
    assertTrue(filter.admit("Bag", proto(1.05, 6, 2)), "another encoder version");
    assertTrue(filter.admit("Bag", null), "a tombstone");
    assertTrue(filter.admit("Bag", "junk".getBytes(StandardCharsets.UTF_8)), "junk: the processor judges it");
    assertTrue(filter.admit("Bag", proto(1.05, 6, 2)), "after a tombstone, the class is new again");
  }
}
