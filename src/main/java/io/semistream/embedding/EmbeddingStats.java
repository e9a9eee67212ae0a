package io.semistream.embedding;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.semistream.records.RejectReason;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the embedding service, shared by its workers: read by the terminal status line, and exported as
 * Micrometer meters once bound (the embedding concern's MeterBinder).
 */
public final class EmbeddingStats implements MeterBinder {
  /** A forward pass slower than this is slow (monitoring/alerts: SemistreamEmbeddingLatencyHigh). */
  static final Duration SLOW_BATCH = Duration.ofSeconds(1);
  private final LongAdder imagesIn = new LongAdder();
  private final LongAdder embedded = new LongAdder();
  private final LongAdder forwardedLarge = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder forwardNanos = new LongAdder();
  private final Map<RejectReason, LongAdder> deadLettered = new EnumMap<>(RejectReason.class);
  private final Map<Stage, LongAdder> stageNanos = new EnumMap<>(Stage.class);
  private final LongAdder queueMillis = new LongAdder();
  private final LongAdder queued = new LongAdder();
  private volatile DistributionSummary batchSizes;
  private volatile Timer batchLatency;
  private volatile Map<Stage, Timer> stageTimers;
  private volatile Timer queueTime;

  /**
   * Where a worker's time goes, batch by batch (the tag values of {@code semistream.embedding.stage}): waiting in
   * polls that returned images, decoding and preprocessing, the forward pass, building the output records, and
   * the transaction (begin, send, offsets, commit).
   */
  public enum Stage {
    POLL, DECODE, FORWARD, SERIALIZE, COMMIT;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public EmbeddingStats() {
    for (RejectReason r : RejectReason.values()) {
      deadLettered.put(r, new LongAdder());
    }
    for (Stage st : Stage.values()) {
      stageNanos.put(st, new LongAdder());
    }
  }

  void recordStage(Stage stage, long nanos) {
    stageNanos.get(stage).add(nanos);
    Map<Stage, Timer> timers = stageTimers;
    if (timers != null) {
      timers.get(stage).record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** An image's time in Kafka before a worker polled it (its record timestamp to the poll). */
  void recordQueue(long millis) {
    if (millis < 0) {
      return;
    }
    queueMillis.add(millis);
    queued.increment();
    Timer t = queueTime;
    if (t != null) {
      t.record(millis, TimeUnit.MILLISECONDS);
    }
  }

  /** Total time all workers spent in {@code stage}. */
  public long stageNanos(Stage stage) {
    return stageNanos.get(stage).sum();
  }

  public double meanQueueMillis() {
    long n = queued.sum();
    return n == 0 ? 0 : (double) queueMillis.sum() / n;
  }

  void recordBatch(int records, int embeddedCount, long nanos) {
    imagesIn.add(records);
    embedded.add(embeddedCount);
    batches.increment();
    forwardNanos.add(nanos);
    DistributionSummary sizes = batchSizes;
    if (sizes != null) {
      sizes.record(embeddedCount);
      batchLatency.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("semistream.embedding.images.in", imagesIn, LongAdder::sum)
        .description("Image records consumed by the embedding service").register(registry);
    FunctionCounter.builder("semistream.embedding.images.embedded", embedded, LongAdder::sum)
        .description("Images embedded and committed").register(registry);
    FunctionCounter.builder("semistream.embedding.images.large", forwardedLarge, LongAdder::sum)
        .description("Images with many pixels forwarded to the slow lane (images-large), where they are consumed, "
            + "and counted in images.in, a second time").register(registry);
    for (RejectReason reason : RejectReason.values()) {
      FunctionCounter.builder("semistream.embedding.images.deadlettered", deadLettered.get(reason), LongAdder::sum)
          .tag("reason", reason.code()).description("Image records sent to the dead-letter topic")
          .register(registry);
    }
    batchSizes = DistributionSummary.builder("semistream.embedding.batch.size")
        .description("Images per forward pass").publishPercentileHistogram().minimumExpectedValue(1.0)
        .maximumExpectedValue(4096.0).register(registry);
    batchLatency = Timer.builder("semistream.embedding.batch.latency")
        .description("Forward pass (encoder + decoder) per batch").publishPercentileHistogram()
        // An exact 1 s bucket: the latency alert counts the batches above it (not one warm-up outlier).
        .serviceLevelObjectives(SLOW_BATCH).register(registry);
    Map<Stage, Timer> timers = new EnumMap<>(Stage.class);
    for (Stage st : Stage.values()) {
      timers.put(st, Timer.builder("semistream.embedding.stage").tag("stage", st.tag())
          .description("Time embedding workers spend per batch in each stage (compute vs waiting)").register(registry));
    }
    stageTimers = timers;
    queueTime = Timer.builder("semistream.embedding.queue")
        .description("An image's time in Kafka before an embedding worker polled it (record timestamp to poll)")
        .publishPercentileHistogram().register(registry);
  }

  void recordForwardedLarge(int count) {
    forwardedLarge.add(count);
  }

  /** Images the regular lane forwarded to the large-image lane. */
  public long forwardedLarge() {
    return forwardedLarge.sum();
  }

  void recordDeadLetter(RejectReason reason) {
    deadLettered.get(reason).increment();
  }

  public long imagesIn() {
    return imagesIn.sum();
  }

  public long embedded() {
    return embedded.sum();
  }

  public long batches() {
    return batches.sum();
  }

  public long deadLettered() {
    return deadLettered.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long deadLettered(RejectReason reason) {
    return deadLettered.get(reason).sum();
  }

  public double meanForwardMillis() {
    long b = batches.sum();
    return b == 0 ? 0 : forwardNanos.sum() / 1e6 / b;
  }
}
