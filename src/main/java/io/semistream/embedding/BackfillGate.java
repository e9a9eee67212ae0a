package io.semistream.embedding;

import io.semistream.kafka.ConsumerGroupLag;
import io.semistream.kafka.KafkaClients;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the workers may top their batches up with re-embedded (backfill) images: only while the learner is at
 * most {@code embedding.backfill.max.lag} records behind on its inputs.
 *
 * <p>Why: the learner reads each partition in order, so every re-embedded image written ahead of a fresh one is
 * processed first. Unpaced, the workers re-embedded the backlog at their full rate, and after each promotion fresh
 * images waited 3–8 s (the eval's warm minutes with a promotion) behind it, while minutes without one had a p99 of
 * 130–140 ms. Paced, the backfill takes what the learner can absorb beside the live stream. The lag is read from the
 * broker by one background thread every {@value #CHECK_INTERVAL_MS} ms (the workers never wait on it); an unknown
 * lag (the broker did not answer) keeps the gate open, so a backfill is never stopped by the measurement.
 */
final class BackfillGate implements AutoCloseable {
  static final long CHECK_INTERVAL_MS = 250;
  static final BackfillGate OPEN = new BackfillGate(0);

  private final long maxLag;
  private final AtomicLong lag = new AtomicLong(ConsumerGroupLag.UNKNOWN);
  private ScheduledExecutorService poller;
  private ConsumerGroupLag reader;

  BackfillGate(long maxLag) {
    if (maxLag < 0) {
      throw new IllegalArgumentException("maxLag must be >= 0, got " + maxLag);
    }
    this.maxLag = maxLag;
  }

  /** A gate that watches {@code learnerGroups} through the broker; open always when maxLag is 0 or none given. */
  static BackfillGate watching(KafkaClients clients, List<String> learnerGroups, long maxLag) {
    if (maxLag == 0 || learnerGroups.isEmpty()) {
      return OPEN;
    }
    BackfillGate gate = new BackfillGate(maxLag);
    gate.reader = new ConsumerGroupLag(clients, learnerGroups, Duration.ofSeconds(2));
    gate.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "embedding-backfill-gate");
      t.setDaemon(true);
      return t;
    });
    gate.poller.scheduleWithFixedDelay(() -> gate.observed(gate.reader.records()), 0, CHECK_INTERVAL_MS,
        TimeUnit.MILLISECONDS);
    return gate;
  }

  /** The learner's lag as last read (records; negative when unknown). */
  void observed(long records) {
    lag.set(records);
  }

  /** Whether backfill images may join the next batch. */
  boolean open() {
    long l = lag.get();
    return maxLag == 0 || l < 0 || l <= maxLag;
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
      try {
        poller.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      reader.close();
    }
  }
}
