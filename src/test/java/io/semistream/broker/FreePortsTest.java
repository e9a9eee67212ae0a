package io.semistream.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The embedded broker's client and controller listeners never share a port. */
class FreePortsTest {
  @Test
  void shouldFindDistinctPortsThatAvoidTheGivenOne() throws Exception {
    for (int round = 0; round < 200; round++) {
      int[] two = EmbeddedKafkaBroker.freePorts(2, 0);
      assertNotEquals(two[0], two[1], "round " + round);
      assertTrue(two[0] > 0 && two[1] > 0);
      int[] one = EmbeddedKafkaBroker.freePorts(1, two[0]);
      assertNotEquals(two[0], one[0], "a port given for the clients is never the controller's");
    }
    Set<Integer> five = new HashSet<>();
    for (int p : EmbeddedKafkaBroker.freePorts(5, -1)) {
      five.add(p);
    }
    assertEquals(5, five.size());
  }
}
