package io.semistream.training;

import java.util.function.LongSupplier;

/**
 * Whether the online trainer holds back before its next step: the pipeline it shares the machine with (the
 * embedding service and the learner, measured by their consumer groups' lag) is more than {@code
 * trainer.yield.max.lag} records behind.
 *
 * <p>Why: training is background work, a prediction is not. On two cores the trainer's first steps on a cold JVM
 * held the learner to 50–80 images a second for 10–40 s while 150 arrived (the eval's first minute had a p99 of
 * 4–16 s, 1.5 s without the trainer), and after each promotion the re-embedded backlog was worked off while the
 * trainer took its share. A trainer that waits while the pipeline is behind hands those cores back. It never
 * waits longer than {@code trainer.yield.max.ms} in a row, so a pipeline that stays behind (a learner down, a
 * backlog larger than the machine) slows training without stopping it. The lag is read at most every
 * {@code checkIntervalMs}, and an unknown lag (the broker did not answer) never holds the trainer back.
 */
final class PipelineBackPressure {
  /** Whether to wait, and how long a wait lasts before asking again. */
  static final long WAIT_STEP_MS = 100;

  private final LongSupplier lagRecords;
  private final long maxLag;
  private final long maxWaitMs;
  private final long checkIntervalMs;
  private final LongSupplier clockMs;
  private long lastCheckMs = Long.MIN_VALUE / 2;
  private long lastLag;

  /**
   * @param lagRecords the pipeline's lag in records, negative when unknown
   * @param maxLag above this the trainer waits; 0 never waits
   */
  PipelineBackPressure(LongSupplier lagRecords, long maxLag, long maxWaitMs, long checkIntervalMs,
      LongSupplier clockMs) {
    if (maxLag < 0 || maxWaitMs < 0 || checkIntervalMs < 0) {
      throw new IllegalArgumentException("back pressure limits must not be negative");
    }
    this.lagRecords = lagRecords;
    this.maxLag = maxLag;
    this.maxWaitMs = maxWaitMs;
    this.checkIntervalMs = checkIntervalMs;
    this.clockMs = clockMs;
  }

  /** Never holds back (no pipeline to watch). */
  static PipelineBackPressure none() {
    return new PipelineBackPressure(() -> 0, 0, 0, 0, System::currentTimeMillis);
  }

  /** Whether the trainer, having waited {@code waitedMs} in a row already, should wait another step. */
  boolean shouldWait(long waitedMs) {
    if (maxLag == 0 || waitedMs >= maxWaitMs) {
      return false;
    }
    long now = clockMs.getAsLong();
    if (now - lastCheckMs >= checkIntervalMs) {
      lastLag = lagRecords.getAsLong();
      lastCheckMs = now;
    }
    return lastLag > maxLag;
  }
}
