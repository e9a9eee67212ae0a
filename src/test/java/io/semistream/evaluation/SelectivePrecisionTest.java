package io.semistream.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.semistream.evaluation.SelectivePrecision.Scored;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectivePrecisionTest {
  @Test
  void shouldGiveThePrecisionOfTheMostConfidentShareAndTheLargestShareAtTheTargetPrecision() {
    // 20 predictions: the 10 most confident all right, then alternating right and wrong.
    Scored[] p = new Scored[20];
    for (int i = 0; i < 20; i++) {
      p[i] = new Scored(1.0 - i / 100.0, i < 10 || i % 2 == 0);
    }
    Map<String, Double> c = SelectivePrecision.curve(p, 0.95);
    assertEquals(1.0, c.get("50%"), 1e-12);
    assertEquals(15 / 20.0, c.get("100%"), 1e-12);
    assertEquals(11 / 12.0, c.get("60%"), 1e-12, "top 12: ten right, then one right and one wrong");
    // Top 11 (i = 10 is right): 11/11; from top 12 on (11/12 = 0.917, 12/13, ...) never 95 % again.
    assertEquals(11 / 20.0, c.get("coverageAtPrecision"), 1e-12);
  }

  @Test
  void shouldGiveAFlatConfidenceNoCreditForItsLuckyOrder() {
    Scored[] p = {new Scored(0.5, true), new Scored(0.5, false), new Scored(0.5, true), new Scored(0.5, false)};
    Map<String, Double> c = SelectivePrecision.curve(p, 0.95);
    assertEquals(0.0, c.get("50%"), 1e-12, "ties rank the wrong ones first");
    assertEquals(0.0, c.get("coverageAtPrecision"), 1e-12);
    assertEquals(0.5, c.get("100%"), 1e-12);
  }
}
