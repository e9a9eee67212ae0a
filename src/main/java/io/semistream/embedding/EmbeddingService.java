package io.semistream.embedding;

import io.semistream.model.EmbeddingModel;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.semistream.config.EmbeddingSettings;
import io.semistream.kafka.KafkaClients;
import io.semistream.topics.TopicRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedding service: {@code embedding.threads} workers consume {@code images}, embed them in batches and
 * publish to {@code embeddings} exactly once; {@code embedding.large.threads} more do the same for the big images
 * the first ones forward to {@code images-large} (see {@link Lane}). Close it to stop cleanly (pending batches are committed).
 */
public final class EmbeddingService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingService.class);

  /** How long start() waits for the promotions already published (a restart must serve the newest). */
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(30);
  private final List<EmbeddingWorker> workers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final EmbeddingStats stats = new EmbeddingStats();
  private final ServingModel serving;
  private final EmbeddingSettings settings;
  private final BackfillGate backfillGate;

  public EmbeddingService(EmbeddingSettings settings, KafkaClients clients, TopicRegistry topics,
      EmbeddingModel model) {
    this(settings, clients, topics, model, null);
  }

  /** With {@code registry}: service meters, model info and each worker's Kafka client metrics are exported. */
  public EmbeddingService(EmbeddingSettings settings, KafkaClients clients, TopicRegistry topics,
      EmbeddingModel model, MeterRegistry registry) {
    this(settings, clients, topics, model, registry, List.of());
  }

  /**
   * @param learnerGroups the learner's consumer group(s): the backfill after a promotion is paced to what they keep
   *     up with ({@code embedding.backfill.max.lag}); none: unpaced
   */
  public EmbeddingService(EmbeddingSettings settings, KafkaClients clients, TopicRegistry topics,
      EmbeddingModel model, MeterRegistry registry, List<String> learnerGroups) {
    this.settings = settings;
    this.backfillGate = BackfillGate.watching(clients, learnerGroups, settings.backfillMaxLag());
    Consumer<EmbeddingModel> onServe = m -> { };
    if (registry != null) {
      stats.bindTo(registry);
      Gauge.builder("semistream.embedding.backfill.remaining", this, EmbeddingService::backfillRemaining)
          .description("Retained images still to be re-embedded by the serving version after a promotion")
          .register(registry);
      ServedModelInfo info = new ServedModelInfo(registry);
      onServe = info::serving;
    }
    serving = new ServingModel(model, settings.followPromotions() ? clients : null, topics, onServe,
        settings.noveltyVersion());
    for (int i = 0; i < settings.threads(); i++) {
      workers.add(new EmbeddingWorker(Lane.REGULAR, i, settings, clients, topics, serving, stats, registry,
          backfillGate));
    }
    for (int i = 0; i < settings.largeThreads(); i++) {
      workers.add(new EmbeddingWorker(Lane.LARGE, i, settings, clients, topics, serving, stats, registry,
          backfillGate));
    }
  }

  public EmbeddingService start() {
    try {
      if (!serving.awaitCaughtUp(CATCH_UP_TIMEOUT)) {
        LOG.warn("model-versions not read to its end within {} s: starting with {} v{}", CATCH_UP_TIMEOUT.toSeconds(),
            serving.current().descriptor().id(), serving.current().descriptor().version());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading model-versions", e);
    }
    for (int i = 0; i < workers.size(); i++) {
      Thread t = new Thread(workers.get(i), workers.get(i).threadName());
      t.setDaemon(false);
      threads.add(t);
      t.start();
    }
    LOG.info("embedding service started: {} worker(s) for images, {} for large images", settings.threads(),
        settings.largeThreads());
    return this;
  }

  public EmbeddingStats stats() {
    return stats;
  }

  /** The first failure of any worker; a running service has none. */
  public Optional<Throwable> failure() {
    return workers.stream().map(EmbeddingWorker::failure).filter(f -> f != null).findFirst();
  }

  /**
   * Whether every worker runs. One that stopped (it failed) makes the whole service "not running", so that its
   * process exits and is restarted instead of living on with a lane or partitions nobody embeds.
   */
  public boolean isRunning() {
    return !threads.isEmpty() && threads.stream().allMatch(Thread::isAlive);
  }

  /** Stops the workers; each commits its pending batch first. Waits up to 30 s per worker. */
  @Override
  public void close() {
    workers.forEach(EmbeddingWorker::stop);
    for (Thread t : threads) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    serving.close();
    backfillGate.close();
    LOG.info("embedding service stopped: {} embedded, {} dead-lettered", stats.embedded(), stats.deadLettered());
  }

  /** Retained images the workers still have to re-embed with the serving version (0 outside a backfill). */
  public long backfillRemaining() {
    return workers.stream().mapToLong(EmbeddingWorker::backfillRemaining).sum();
  }

  /**
   * Whether every worker has taken {@code version} up: each switches at its own next batch boundary, so until then an
   * image may still be embedded by the version before (and re-embedded by the backfill afterwards).
   */
  public boolean everyWorkerServes(int version) {
    return workers.stream().allMatch(w -> w.modelVersion() == version);
  }

  /** Whether the backfill may run now: the learner is within {@code embedding.backfill.max.lag} (or unpaced). */
  boolean backfillGateOpen() {
    return backfillGate.open();
  }

  /** The encoder version being served now (it changes when the trainer promotes one). */
  public int servingVersion() {
    return serving.current().descriptor().version();
  }
}
