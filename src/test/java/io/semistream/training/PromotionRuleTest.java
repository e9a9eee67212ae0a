package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.training.PromotionRule.Comparison;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PromotionRuleTest {
  private final PromotionRule rule = new PromotionRule(0.01, 30, 0.9);

  /** n held-out images; the candidate alone right on b of them, the serving version alone on c, both on both. */
  private static Comparison paired(int n, int both, int b, int c) {
    return new Comparison(n, both + b, both + c, b, c);
  }

  @Test
  void shouldPromoteOnlyAClearlyBetterCandidateOnEnoughHeldOutLabels() {
    assertTrue(rule.promote(paired(100, 60, 20, 10)), "80 % against 70 %");
    assertFalse(rule.promote(paired(200, 139, 2, 1)), "70.5 % against 70 %: within the minimum gain");
    assertFalse(rule.promote(paired(100, 65, 5, 5)), "equal is not better");
    assertFalse(rule.promote(paired(100, 55, 5, 15)), "worse is never served");
    assertFalse(rule.promote(new Comparison(0, 0, 0, 0, 0)), "nothing to judge on");
  }

  @Test
  void shouldPromoteOnFewHeldOutLabelsOnlyWhenTheGainIsProbable() {
    // MNIST at 1 %: 14 held-out labels, 13 against 10 right, every disagreement won by the candidate.
    Comparison mnist = paired(14, 10, 3, 0);
    assertEquals(0.9375, mnist.probabilityCandidateBetter(), 1e-12, "P(Bin(4, 1/2) <= 3) = 15/16");
    assertTrue(rule.promote(mnist));
    Comparison sameGainMoreDoubt = paired(14, 9, 4, 1);
    assertEquals(57 / 64.0, sameGainMoreDoubt.probabilityCandidateBetter(), 1e-12, "P(Bin(6, 1/2) <= 4)");
    assertFalse(rule.promote(sameGainMoreDoubt), "the same gain from 4 wins and 1 loss is not probable enough");
    assertFalse(rule.promote(paired(29, 20, 2, 0)), "two wins: P = 7/8");
    assertTrue(rule.promote(paired(30, 20, 2, 0)), "from min.heldout on, the gain alone decides");
  }

  @Test
  void shouldComputeTheProbabilityExactlyAndWithoutUnderflowForLargeCounts() {
    // Against a direct sum with exact binomial coefficients for small counts.
    Random random = new Random(7);
    for (int t = 0; t < 200; t++) {
      int b = random.nextInt(25);
      int c = random.nextInt(25);
      int n = b + c + 1;
      java.math.BigInteger sum = java.math.BigInteger.ZERO;
      java.math.BigInteger choose = java.math.BigInteger.ONE;
      for (int k = 0; k <= b; k++) {
        if (k > 0) {
          choose = choose.multiply(java.math.BigInteger.valueOf(n - k + 1)).divide(java.math.BigInteger.valueOf(k));
        }
        sum = sum.add(choose);
      }
      double exact = new java.math.BigDecimal(sum).divide(new java.math.BigDecimal(java.math.BigInteger.TWO.pow(n)),
          java.math.MathContext.DECIMAL64).doubleValue();
      assertEquals(exact, paired(n + 10, 10, b, c).probabilityCandidateBetter(), 1e-12, b + " wins, " + c + " losses");
    }
    double big = paired(5000, 1000, 2100, 1900).probabilityCandidateBetter();
    assertTrue(big > 0.99 && big <= 1, "2,100 against 1,900 disagreements: " + big);
    assertEquals(0.5, paired(5000, 1000, 2000, 2000).probabilityCandidateBetter(), 0.01);
  }

  @Test
  void shouldCountThePairsFromPerImageOutcomes() {
    boolean[] candidate = {true, true, false, true, false};
    boolean[] serving = {true, false, false, false, true};
    assertEquals(new Comparison(5, 3, 2, 2, 1), Comparison.of(candidate, serving));
    assertThrows(IllegalArgumentException.class, () -> Comparison.of(candidate, new boolean[4]));
    assertThrows(IllegalArgumentException.class, () -> new Comparison(5, 3, 2, 3, 1), "both right on -1 images");
    assertThrows(IllegalArgumentException.class, () -> new PromotionRule(0, 30, 1.0));
  }
}
