package io.semistream.learning;

import io.semistream.config.LearnerSettings;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Decides whether a learner task asks Kafka Streams for a commit before {@code learner.commit.interval.ms} is up:
 * when it processed something since its last request, that request is at least {@code learner.commit.idle
 * .interval.ms} old, the last record it processed was fresh (at most {@code learner.commit.idle.max.age.ms} older
 * than the learner's clock), and the machine's recent CPU load is at most {@code learner.commit.idle.max.cpu}.
 * Asked on every record (so a burst's commit follows its last record at once) and by a punctuator (so the last
 * records before a pause do not wait for the interval). Any task's request commits every task of its stream thread
 * (one transaction under exactly-once v2), so a stream thread's tasks share one pacer ({@link #perStreamThread}):
 * with a pacer per task, four tasks asked up to four times per idle interval (the bench counted 57–66 commits a
 * second against the 50 the interval allows). An unknown load (NaN) never commits early.
 *
 * <p>Why the age: a learner working off a backlog (the re-embedding after a promotion carries the images' old
 * timestamps, a stall leaves live images waiting) is better served by commits at the interval, their CPU left to
 * catching up; the CPU load alone let early commits through between the trainer's bursts. A learner that found
 * nothing to process between two of its punctuations has caught up, whatever the age of its last record: else the
 * last records of a burst processed late would wait for the interval (a CI run waited out a minute's).
 */
final class CommitPacer {
  private final long idleIntervalMs;
  private final long maxAgeMs;
  private final double maxCpuLoad;
  private final DoubleSupplier cpuLoad;
  private boolean processedSinceRequest;
  private boolean behind;
  private boolean processedSinceTick;
  private long lastRequestMs = Long.MIN_VALUE / 2;
  private long lastTickMs = Long.MIN_VALUE / 2;

  CommitPacer(LearnerSettings.Commit commit, DoubleSupplier cpuLoad) {
    this.idleIntervalMs = commit.idleIntervalMs();
    this.maxAgeMs = commit.idleMaxAgeMs();
    this.maxCpuLoad = commit.idleMaxCpuLoad();
    this.cpuLoad = cpuLoad;
  }

  /**
   * One pacer per calling thread, for every task of a topology: a task's {@code process} and punctuators run on the
   * stream thread that owns it, so the pacer a call gets is its thread's, wherever the task moved since.
   */
  static Supplier<CommitPacer> perStreamThread(LearnerSettings.Commit commit, DoubleSupplier cpuLoad) {
    return ThreadLocal.withInitial(() -> new CommitPacer(commit, cpuLoad))::get;
  }

  /** A record stamped {@code timestampMs} was processed at {@code nowMs}: its output waits for the next commit. */
  void processed(long timestampMs, long nowMs) {
    processedSinceRequest = true;
    processedSinceTick = true;
    // No timestamp (-1) says nothing about a backlog.
    behind = timestampMs >= 0 && nowMs - timestampMs > maxAgeMs;
  }

  /** A relabel round wrote: its output waits for a commit too; whether the learner is behind stays as it was. */
  void relabelled() {
    processedSinceRequest = true;
  }

  /**
   * The punctuator's turn, every {@code learner.commit.idle.interval.ms}: no record since the last tick means the
   * input is drained, so the learner is no longer behind; then as {@link #commitNow(long)}. Every task of the thread
   * has that punctuator and they fire one after the other, so a tick within half an interval of the last one only
   * asks: back-to-back ticks with nothing processed between them say nothing about the input.
   */
  boolean tick(long nowMs) {
    if (nowMs - lastTickMs >= idleIntervalMs / 2) {
      if (!processedSinceTick) {
        behind = false;
      }
      processedSinceTick = false;
      lastTickMs = nowMs;
    }
    return commitNow(nowMs);
  }

  /** Whether to ask for a commit at {@code nowMs} (wall clock); a true answer counts as the request. */
  boolean commitNow(long nowMs) {
    if (!processedSinceRequest || behind || nowMs - lastRequestMs < idleIntervalMs
        || !(cpuLoad.getAsDouble() <= maxCpuLoad)) {
      return false;
    }
    processedSinceRequest = false;
    lastRequestMs = nowMs;
    return true;
  }
}
