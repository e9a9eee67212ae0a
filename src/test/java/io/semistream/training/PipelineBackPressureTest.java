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
    return pressure(maxLag, maxWaitMs, 0);
  }

  private PipelineBackPressure pressure(long maxLag, long maxWaitMs, long warmupMs) {
    return new PipelineBackPressure(() -> {
      reads.incrementAndGet();
      return lag.get();
    }, maxLag, maxWaitMs, 250, warmupMs, clock::get);
  }

  /** Asks every 100 ms, like the trainer, until the warm-up ends; returns how long it lasted. */
  private long warmUp(PipelineBackPressure p, long limitMs) {
    long start = clock.get();
    while (p.warmingUp()) {
      clock.addAndGet(100);
      if (clock.get() - start > limitMs) {
        throw new AssertionError("still warming up after " + limitMs + " ms");
      }
    }
    return clock.get() - start;
  }

  @Test
  void shouldTakeTheFirstStepOnlyOnceThePipelineKeptUpForTheWarmUp() {
    PipelineBackPressure p = pressure(500, 10_000, 15_000);
    lag.set(500);
    assertEquals(15_000, warmUp(p, 100_000));
    lag.set(1_000_000);
    clock.addAndGet(250);
    assertFalse(p.warmingUp(), "the warm-up is once per process: later lag is the waits' business");
    assertTrue(p.shouldWait(0));
  }

  @Test
  void shouldStartTheWarmUpAgainWhenThePipelineFallsBehind() {
    PipelineBackPressure p = pressure(500, 10_000, 15_000);
    lag.set(0);
    for (int i = 0; i < 100; i++) {                 // 10 s of keeping up
      assertTrue(p.warmingUp());
      clock.addAndGet(100);
    }
    lag.set(2_000);                                 // a cold learner falls behind
    for (int i = 0; i < 50; i++) {
      assertTrue(p.warmingUp());
      clock.addAndGet(100);
    }
    lag.set(0);
    long caughtUpAt = clock.get();
    long lasted = warmUp(p, 100_000);
    assertTrue(lasted >= 15_000 && lasted <= 15_000 + 250,
        "15 s in a row from the first reading after it caught up: " + lasted + " ms");
    assertTrue(clock.get() - caughtUpAt >= 15_000);
  }

  @Test
  void shouldEndTheWarmUpAtItsLimitWhenThePipelineNeverKeepsUp() {
    PipelineBackPressure p = pressure(500, 10_000, 15_000);
    lag.set(1_000_000);
    assertEquals(PipelineBackPressure.WARMUP_LIMIT_FACTOR * 15_000, warmUp(p, 100_000),
        "a backlog larger than the machine delays training, never stops it");
  }

  @Test
  void shouldCountAnUnknownLagAsKeepingUpDuringTheWarmUp() {
    PipelineBackPressure p = pressure(500, 10_000, 2_000);
    lag.set(-1);
    assertEquals(2_000, warmUp(p, 100_000));
  }

  @Test
  void shouldNotWarmUpWhenTheWarmUpOrYieldingIsOff() {
    lag.set(1_000_000);
    assertFalse(pressure(500, 10_000, 0).warmingUp(), "trainer.warmup.ms=0");
    assertFalse(pressure(0, 10_000, 15_000).warmingUp(), "trainer.yield.max.lag=0");
    assertFalse(PipelineBackPressure.none().warmingUp());
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
    assertThrows(IllegalArgumentException.class, () -> pressure(1, 10, -1));
  }
}
