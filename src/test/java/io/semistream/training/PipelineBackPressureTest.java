package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PipelineBackPressureTest {
  private final AtomicLong lag = new AtomicLong();
  private final AtomicLong clock = new AtomicLong(1_000);
  private final AtomicInteger reads = new AtomicInteger();

  private PipelineBackPressure pressure(long maxLag, long maxWaitMs) {
    return new PipelineBackPressure(() -> {
      reads.incrementAndGet();
      return lag.get();
    }, maxLag, maxWaitMs, 250, clock::get);
  }

  @Test
  void shouldWaitOnlyWhileThePipelineIsMoreThanMaxLagBehind() {
    PipelineBackPressure p = pressure(500, 10_000);
    lag.set(500);
    assertFalse(p.shouldWait(0), "at the limit: not behind");
    clock.addAndGet(250);
    lag.set(501);
    assertTrue(p.shouldWait(0));
    clock.addAndGet(250);
    lag.set(40);
    assertFalse(p.shouldWait(100), "caught up: trains again");
  }

  @Test
  void shouldReadTheLagAtMostOncePerCheckInterval() {
    PipelineBackPressure p = pressure(500, 10_000);
    lag.set(2_000);
    assertTrue(p.shouldWait(0));
    lag.set(0);
    clock.addAndGet(249);
    assertTrue(p.shouldWait(0), "the last reading stands within the interval");
    assertEquals(1, reads.get());
    clock.addAndGet(1);
    assertFalse(p.shouldWait(0));
    assertEquals(2, reads.get());
  }

  @Test
  void shouldTakeAStepAnywayAfterWaitingTheLongestWaitInARow() {
    PipelineBackPressure p = pressure(500, 10_000);
    lag.set(1_000_000);
    assertTrue(p.shouldWait(9_999));
    assertFalse(p.shouldWait(10_000), "a pipeline that stays behind slows training, never stops it");
  }

  @Test
  void shouldNeverWaitWhenTheLagIsUnknownOrYieldingIsOff() {
    lag.set(-1);
    assertFalse(pressure(500, 10_000).shouldWait(0), "the broker did not answer: no reason to wait");
    lag.set(1_000_000);
    int before = reads.get();
    assertFalse(pressure(0, 10_000).shouldWait(0), "trainer.yield.max.lag=0");
    assertEquals(before, reads.get(), "off: the lag is not even read");
    assertFalse(PipelineBackPressure.none().shouldWait(0));
  }

  @Test
  void shouldRejectNegativeLimits() {
    assertThrows(IllegalArgumentException.class, () -> pressure(-1, 10));
    assertThrows(IllegalArgumentException.class, () -> pressure(1, -10));
  }
}
