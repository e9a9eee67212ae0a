package io.semistream.learning;

import io.semistream.config.LearnerSettings;
import java.util.function.DoubleSupplier;

/**
 * Decides whether a learner task asks Kafka Streams for a commit before {@code learner.commit.interval.ms} is up:
 * when it processed something since its last request, that request is at least {@code learner.commit.idle
 * .interval.ms} old, and the machine's recent CPU load is at most {@code learner.commit.idle.max.cpu}. Asked on
 * every record (so a burst's commit follows its last record at once) and by a punctuator (so the last records
 * before a pause do not wait for the interval). Any task's request commits every task of its stream thread (one
 * transaction under exactly-once v2); an unknown load (NaN) never commits early.
 */
final class CommitPacer {
  private final long idleIntervalMs;
  private final double maxCpuLoad;
  private final DoubleSupplier cpuLoad;
  private boolean processedSinceRequest;
  private long lastRequestMs = Long.MIN_VALUE / 2;

  CommitPacer(LearnerSettings.Commit commit, DoubleSupplier cpuLoad) {
    this.idleIntervalMs = commit.idleIntervalMs();
    this.maxCpuLoad = commit.idleMaxCpuLoad();
    this.cpuLoad = cpuLoad;
  }

  /** A record was processed (or a relabel round wrote): its output waits for the next commit. */
  void processed() {
    processedSinceRequest = true;
  }

  /** Whether to ask for a commit at {@code nowMs} (wall clock); a true answer counts as the request. */
  boolean commitNow(long nowMs) {
    if (!processedSinceRequest || nowMs - lastRequestMs < idleIntervalMs
        || !(cpuLoad.getAsDouble() <= maxCpuLoad)) {
      return false;
    }
    processedSinceRequest = false;
    lastRequestMs = nowMs;
    return true;
  }
}
