package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.training.PromotionRule.Comparison;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PromotionRuleTest {
  private final PromotionRule rule = new PromotionRule(0.01, 30, 0.9);

  @Test
  void shouldPromoteOnlyAClearlyBetterCandidateOnEnoughHeldOutLabels() {
    assertTrue(rule.promote(new Comparison(100, 80, 70, 30, 15), Double.NaN), "80 % against 70 %");
    assertFalse(rule.promote(new Comparison(200, 141, 140, 30, 10), Double.NaN),
        "70.5 % against 70 %: within the minimum gain");
    assertFalse(rule.promote(new Comparison(100, 70, 70, 40, 5), Double.NaN),
        "equal is not better, however the ranks moved");
    assertFalse(rule.promote(new Comparison(100, 60, 70, 30, 15), Double.NaN), "worse is never served");
    assertFalse(rule.promote(new Comparison(0, 0, 0, 0, 0), Double.NaN), "nothing to judge on");
  }

  @Test
  void shouldPromoteOnFewHeldOutLabelsOnlyWhenTheTrueClassesMovedUpOnBalance() {
    // 10 held-out labels, 6 against 3 right (the 5-labels-per-class run): the same gain, two stories.
    int[] serving = {1, 1, 1, 2, 2, 3, 3, 4, 5, 4};
    int[] better = {1, 1, 1, 1, 1, 1, 2, 3, 3, 3};      // three more right and every other true class nearer
    int[] luckier = {1, 1, 1, 1, 1, 1, 6, 7, 8, 5};     // three more right, the rest pushed away
    Comparison good = Comparison.of(better, serving);
    Comparison lucky = Comparison.of(luckier, serving);
    assertEquals(new Comparison(10, 6, 3, 7, 0), good);
    assertEquals(new Comparison(10, 6, 3, 3, 4), lucky);
    assertEquals(255 / 256.0, good.probabilityCandidateBetter(), 1e-12, "P(Bin(8, 1/2) <= 7)");
    assertTrue(rule.promote(good, Double.NaN));
    assertEquals(93 / 256.0, lucky.probabilityCandidateBetter(), 1e-12, "P(Bin(8, 1/2) <= 3)");
    assertFalse(rule.promote(lucky, Double.NaN), "three more right by luck, four true classes pushed away");
    assertFalse(rule.promote(new Comparison(29, 22, 20, 2, 0), Double.NaN), "two gains and no loss: P = 7/8");
    assertTrue(rule.promote(new Comparison(30, 22, 20, 2, 0), Double.NaN), "from min.heldout on, the gain decides");
  }

  @Test
  void shouldNotPromoteOverAServingVersionThatWasOnlyUnluckyOnTheHeldOutShare() {
    // 3 of 10 held-out labels right for the unsupervised start, 61 % over all 45 labels (leave one out): a
    // candidate at 60 % with 4 true classes up and none down is not better than that.
    Comparison c = new Comparison(10, 6, 3, 4, 0);
    assertTrue(rule.promote(c, Double.NaN), "on the held-out share alone it looks better");
    assertFalse(rule.promote(c, 0.61));
    assertTrue(rule.promote(new Comparison(14, 13, 10, 4, 0), 0.66), "MNIST: 92.9 % against 66 % over all labels");
  }

  @Test
  void shouldComputeTheProbabilityExactlyAndWithoutUnderflowForLargeCounts() {
    Random random = new Random(7);
    for (int t = 0; t < 200; t++) {
      int b = random.nextInt(25);
      int c = random.nextInt(25);
      int n = b + c + 1;
      BigInteger sum = BigInteger.ZERO;
      BigInteger choose = BigInteger.ONE;
      for (int k = 0; k <= b; k++) {
        if (k > 0) {
          choose = choose.multiply(BigInteger.valueOf(n - k + 1)).divide(BigInteger.valueOf(k));
        }
        sum = sum.add(choose);
      }
      double exact = new BigDecimal(sum).divide(new BigDecimal(BigInteger.TWO.pow(n)), MathContext.DECIMAL64)
          .doubleValue();
      assertEquals(exact, new Comparison(60, 20, 20, b, c).probabilityCandidateBetter(), 1e-12,
          b + " gains, " + c + " losses");
    }
    double big = new Comparison(5000, 3000, 2900, 2100, 1900).probabilityCandidateBetter();
    assertTrue(big > 0.99 && big <= 1, "2,100 gains against 1,900 losses: " + big);
    assertEquals(0.5, new Comparison(5000, 3000, 3000, 2000, 2000).probabilityCandidateBetter(), 0.01);
  }

  @Test
  void shouldRefuseInconsistentComparisons() {
    assertThrows(IllegalArgumentException.class, () -> Comparison.of(new int[] {1}, new int[] {1, 2}));
    assertThrows(IllegalArgumentException.class, () -> Comparison.of(new int[] {0}, new int[] {1}), "ranks from 1");
    assertThrows(IllegalArgumentException.class, () -> new Comparison(10, 6, 3, 2, 0),
        "three more right needs at least three true classes ranked higher");
    assertThrows(IllegalArgumentException.class, () -> new Comparison(10, 5, 5, 6, 5), "11 changes on 10 images");
    assertThrows(IllegalArgumentException.class, () -> new PromotionRule(0, 30, 1.0));
  }
}
