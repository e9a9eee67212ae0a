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
 *
 * <p>The warm-up: before its first step in a process, the trainer waits until the pipeline has kept up (within
 * {@code trainer.yield.max.lag}) for {@code trainer.warmup.ms} in a row. Why: on a cold JVM the pipeline's own code
 * is still being compiled, and the lag only crosses the limit seconds after the trainer's first steps took the
 * cores; by then the learner had fallen 1,000 or more images behind. A pipeline that never keeps up (a backlog
 * larger than the machine) delays the first step by at most {@link #WARMUP_LIMIT_FACTOR} times the warm-up.
 */
final class PipelineBackPressure {
  /** Whether to wait, and how long a wait lasts before asking again. */
  static final long WAIT_STEP_MS = 100;
  /** The warm-up ends after this many times {@code trainer.warmup.ms} even if the pipeline never kept up. */
  static final int WARMUP_LIMIT_FACTOR = 4;
  private static final long UNSET = Long.MIN_VALUE;

  private final LongSupplier lagRecords;
  private final long maxLag;
  private final long maxWaitMs;
  private final long checkIntervalMs;
  private final long warmupMs;
  private final LongSupplier clockMs;
  private long lastCheckMs = Long.MIN_VALUE / 2;
  private long lastLag;
  private long warmupStartedMs = UNSET;
  private long keptUpSinceMs = UNSET;
  private boolean warm;

  /**
   * @param lagRecords the pipeline's lag in records, negative when unknown
   * @param maxLag above this the trainer waits; 0 never waits (and never warms up)
   * @param warmupMs how long the pipeline must have kept up before the first step; 0: no warm-up
   */
  PipelineBackPressure(LongSupplier lagRecords, long maxLag, long maxWaitMs, long checkIntervalMs, long warmupMs,
      LongSupplier clockMs) {
    if (maxLag < 0 || maxWaitMs < 0 || checkIntervalMs < 0 || warmupMs < 0) {
      throw new IllegalArgumentException("back pressure limits must not be negative");
    }
    this.lagRecords = lagRecords;
    this.maxLag = maxLag;
    this.maxWaitMs = maxWaitMs;
    this.checkIntervalMs = checkIntervalMs;
    this.warmupMs = warmupMs;
    this.clockMs = clockMs;
  }

  /** Never holds back (no pipeline to watch). */
  static PipelineBackPressure none() {
    return new PipelineBackPressure(() -> 0, 0, 0, 0, 0, System::currentTimeMillis);
  }

  /**
   * Whether the trainer should wait longer before its first step: the pipeline has not yet kept up for the
   * warm-up in a row, and the warm-up's limit has not passed. Once this answered false it always does.
   */
  boolean warmingUp() {
    if (warm || maxLag == 0 || warmupMs == 0) {
      return false;
    }
    long now = clockMs.getAsLong();
    if (warmupStartedMs == UNSET) {
      warmupStartedMs = now;
    }
    if (now - lastCheckMs >= checkIntervalMs) {
      lastLag = lagRecords.getAsLong();
      lastCheckMs = now;
      if (lastLag > maxLag) {
        keptUpSinceMs = UNSET;   // behind: the warm-up's clock starts again at the next reading within the limit
      } else if (keptUpSinceMs == UNSET) {
        keptUpSinceMs = now;
      }
    }
    warm = keptUpSinceMs != UNSET && now - keptUpSinceMs >= warmupMs
        || now - warmupStartedMs >= WARMUP_LIMIT_FACTOR * warmupMs;
    return !warm;
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
