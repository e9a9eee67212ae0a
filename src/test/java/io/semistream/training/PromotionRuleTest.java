package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PromotionRuleTest {
  private final PromotionRule rule = new PromotionRule(0.01, 30);

  @Test
  void shouldPromoteOnlyAClearlyBetterCandidateOnEnoughHeldOutLabels() {
    assertTrue(rule.promote(0.80, 0.70, 100));
    assertFalse(rule.promote(0.705, 0.70, 100), "within the minimum gain");
    assertFalse(rule.promote(0.70, 0.70, 100), "equal is not better");
    assertFalse(rule.promote(0.60, 0.70, 100), "worse is never served");
    assertFalse(rule.promote(0.90, 0.70, 29), "too few held-out labels to tell");
    assertFalse(rule.promote(Double.NaN, 0.70, 100));
  }

  @Test
  void shouldPromoteAMeasuredCandidateWhenTheServingVersionCouldNotBeMeasured() {
    assertTrue(rule.promote(0.5, Double.NaN, 100));
  }
}
