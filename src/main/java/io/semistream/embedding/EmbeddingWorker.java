package io.semistream.embedding;


import io.semistream.model.DjlEngine;
import io.semistream.model.EmbeddingModel;
import io.semistream.model.ImageEmbedding;

import ai.djl.inference.Predictor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.semistream.config.EmbeddingSettings;
import io.semistream.image.ImagePreprocessor;
import io.semistream.kafka.KafkaClients;
import io.semistream.kafka.MachineCpuLoad;
import io.semistream.topics.TopicRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embedding worker: its own consumer, transactional producer and Predictor, on its own thread.
 *
 * <p>A poll loop (not a Streams processor) because batching is the whole point: the worker gathers up to
 * {@code batch.size} images or waits at most {@code max.wait.ms}, runs one forward pass, and then writes the
 * embeddings, the dead letters and the consumed offsets in one transaction. A crash anywhere before the commit
 * leaves nothing visible to read_committed readers, and the next owner of the partitions redoes the batch.
 */
final class EmbeddingWorker implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingWorker.class);
  static final String STAGE = "embedding-service";
  /**
   * A transaction of re-embedded (backfill) images only keeps the window all transactions had before it grew for
   * live backlogs (8 batches, 100 ms): while it is open, the last stable offset of every {@code embeddings}
   * partition it wrote stops at its first record, so the other workers' fresh embeddings behind it stay invisible to
   * the learner until it commits. With 400 ms the Fashion eval's p95 image → prediction was 3.7 s against 1.7 s
   * the same hour (README, "A longer transaction window, only under a backlog").
   */
  private static final int BACKFILL_TRANSACTION_MAX_BATCHES = 8;
  private static final long BACKFILL_TRANSACTION_MAX_MS = 100;
  /** While backfilling, how long a live poll may wait when the backfill had nothing either. */
  private static final long BACKFILL_IDLE_POLL_MS = 5;

  private final int index;
  private final Lane lane;
  private final EmbeddingSettings settings;
  private final KafkaClients clients;
  private final TopicRegistry topics;
  private final ServingModel serving;
  private final BackfillGate backfillGate;
  private EmbeddingModel model;
  /** {@link #model}'s version, for other threads: which version this worker's next batch gets. */
  private volatile int modelVersion;
  private final EmbeddingStats stats;
  private final BatchEmbedder embedder;
  private final List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>();
  /** Backfill records in the next batch, after the live ones in {@link #pending}. */
  private final List<ConsumerRecord<byte[], byte[]>> pendingBackfill = new ArrayList<>();
  /** Backfill records polled but not yet batched. */
  private final ArrayDeque<ConsumerRecord<byte[], byte[]>> backfillBuffer = new ArrayDeque<>();
  private final Backfill backfill = new Backfill();
  private final OpenTransaction transaction = new OpenTransaction();
  private final MeterRegistry registry;
  private volatile boolean running = true;
  private KafkaConsumer<byte[], byte[]> consumer;
  /** Reads retained images again after a promotion (assigned partitions only, never subscribed); null if unused. */
  private KafkaConsumer<byte[], byte[]> backfillConsumer;
  private KafkaProducer<byte[], byte[]> producer;
  private Predictor<float[][], List<ImageEmbedding>> predictor;
  private volatile Throwable failure;
  private volatile long backfillRemaining;

  EmbeddingWorker(Lane lane, int index, EmbeddingSettings settings, KafkaClients clients, TopicRegistry topics,
      ServingModel serving, EmbeddingStats stats, MeterRegistry registry, BackfillGate backfillGate) {
    this.registry = registry;
    this.backfillGate = backfillGate;
    this.lane = lane;
    this.index = index;
    this.settings = settings;
    this.clients = clients;
    this.topics = topics;
    this.serving = serving;
    this.model = serving.current();
    this.modelVersion = model.descriptor().version();
    this.stats = stats;
    this.embedder = new BatchEmbedder(ImagePreprocessor.of(model.descriptor().inputSide(), settings), topics, stats,
        STAGE, lane.forwardTopic(topics), settings.inlinePixelLimit());
  }

  String threadName() {
    return lane.threadName(index);
  }

  Throwable failure() {
    return failure;
  }

  void stop() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  @Override
  public void run() {
    DjlEngine.disableGradientsOnThisThread();
    String transactionalId = lane.transactionalId(settings, index);
    try (Predictor<float[][], List<ImageEmbedding>> first = model.newPredictor();
         KafkaProducer<byte[], byte[]> prod = clients.transactionalProducer(transactionalId,
             new ByteArraySerializer(), new ByteArraySerializer());
         // Declared before the live consumer so that it closes after it: closing the live one revokes its
         // partitions, and the revocation still commits the backfill's progress.
         KafkaConsumer<byte[], byte[]> back = lane.seeksOnSwitch(settings)
             ? clients.consumer(backfillGroupId(), new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                 Map.of("max.poll.records", settings.batchSize()))
             : null;
         KafkaConsumer<byte[], byte[]> cons = clients.consumer(lane.groupId(settings), new ByteArrayDeserializer(),
             new ByteArrayDeserializer(), Map.of("max.poll.records", settings.batchSize()))) {
      predictor = first;
      producer = prod;
      consumer = cons;
      backfillConsumer = back;
      producer.initTransactions();
      consumer.subscribe(List.of(lane.topic(topics)), new FlushOnRevoke());
      if (registry == null) {
        loop();
      } else {
        try (KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(cons);
             KafkaClientMetrics producerMetrics = new KafkaClientMetrics(prod)) {
          consumerMetrics.bindTo(registry);
          producerMetrics.bindTo(registry);
          loop();
        }
      }
    } catch (WakeupException e) {
      if (running) {
        failure = e;
      }
    } catch (ProducerFencedException | FencedInstanceIdException | InvalidProducerEpochException e) {
      LOG.warn("{} was fenced by a newer instance with the same transactional id; stopping",
          lane.threadName(index));
      failure = e;
    } catch (Throwable e) {
      LOG.error("{} failed", lane.threadName(index), e);
      failure = e;
    } finally {
      consumer = null;
      backfillConsumer = null;
    }
  }

  private String backfillGroupId() {
    return lane.groupId(settings) + "-backfill";
  }

  /** The version this worker embeds its next batch with (it switches at a batch boundary); any thread. */
  int modelVersion() {
    return modelVersion;
  }

  /** Images this worker still had to re-embed at its last loop turn (0 when no backfill runs); any thread. */
  long backfillRemaining() {
    return backfillRemaining;
  }

  private void loop() {
    long batchDeadline = Long.MAX_VALUE;
    try {
      loopUntilStopped(batchDeadline);
    } finally {
      if (predictor != null && model != serving.initial()) {
        predictor.close();   // a predictor of a switched-to version (the first one closes with its try block)
      }
    }
  }

  /**
   * At a batch boundary only: take the newest promoted encoder version. With re-embedding on, every retained image
   * is embedded again by the new version through the {@link Backfill}, beside the live images, not in front of
   * them; its plan and progress are committed with the transactions, so a crash continues there.
   */
  private void switchModelIfPromoted() {
    EmbeddingModel promoted = serving.current();
    if (promoted == model) {
      return;
    }
    if (transaction.isOpen() && lane.seeksOnSwitch(settings) && !commitTransaction()) {
      return;   // aborted and rewound: switch at the next batch boundary
    }
    Predictor<float[][], List<ImageEmbedding>> next = promoted.newPredictor();
    if (model != serving.initial()) {
      predictor.close();
    }
    predictor = next;
    LOG.info("{}: now serving {} v{} (was v{}){}", lane.threadName(index), promoted.descriptor().id(),
        promoted.descriptor().version(), model.descriptor().version(),
        lane.seeksOnSwitch(settings) ? "; re-embedding the retained images" : "");
    model = promoted;
    modelVersion = promoted.descriptor().version();
    if (lane.seeksOnSwitch(settings)) {
      Map<TopicPartition, Long> live = new HashMap<>();
      for (TopicPartition tp : consumer.assignment()) {
        live.put(tp, consumer.position(tp));
      }
      backfill.plan(promoted.descriptor().version(), backfillConsumer.beginningOffsets(live.keySet()), live);
      backfillBuffer.clear();
      seekBackfillToCommitted();
    }
  }

  /** The backfill consumer reads the active partitions from their committed backfill positions. */
  private void seekBackfillToCommitted() {
    Map<TopicPartition, Long> positions = backfill.committedPositions();
    backfillConsumer.assign(positions.keySet());
    backfillConsumer.resume(backfillConsumer.paused());
    positions.forEach(backfillConsumer::seek);
  }

  /**
   * Tops the next batch up with backfill images, after the live ones. Returns whether it added any: when it did
   * not, the backfill has nothing more to give right now.
   */
  private boolean topUpFromBackfill() {
    boolean added = false;
    while (pending.size() + pendingBackfill.size() < settings.batchSize()) {
      if (backfillBuffer.isEmpty()) {
        if (!backfill.active() || backfillConsumer.assignment().isEmpty()) {
          break;
        }
        ConsumerRecords<byte[], byte[]> more = backfillConsumer.poll(Duration.ZERO);
        if (more.isEmpty()) {
          break;
        }
        for (ConsumerRecord<byte[], byte[]> r : more) {
          if (backfill.wants(r)) {
            backfillBuffer.add(r);
          }
        }
        pauseFinishedBackfill();
        continue;
      }
      pendingBackfill.add(backfillBuffer.poll());
      added = true;
    }
    return added;
  }

  /** A partition read up to its stop offset gives nothing more: stop fetching it. */
  private void pauseFinishedBackfill() {
    List<TopicPartition> finished = new ArrayList<>();
    Set<TopicPartition> paused = backfillConsumer.paused();
    for (TopicPartition tp : backfillConsumer.assignment()) {
      if (!paused.contains(tp) && backfillConsumer.position(tp) >= backfill.stop(tp)) {
        finished.add(tp);
      }
    }
    backfillConsumer.pause(finished);
  }

  private void loopUntilStopped(long batchDeadline) {
    boolean backfillGave = false;
    while (running) {
      if (pending.isEmpty() && pendingBackfill.isEmpty()) {
        switchModelIfPromoted();
      }
      // Paced: re-embedded images join batches only while the learner keeps up (BackfillGate).
      boolean backfilling = backfillConsumer != null && backfill.active() && backfillGate.open();
      long now = System.nanoTime();
      long waitMs = pending.isEmpty()
          ? (transaction.isOpen() ? Math.max(0, (transaction.deadline() - now) / 1_000_000) : 200)
          : Math.max(0, (batchDeadline - now) / 1_000_000);
      if (backfilling) {
        // Live images first, but do not idle while backfill images are there to fill the batch.
        waitMs = Math.min(waitMs, backfillGave || !backfillBuffer.isEmpty() ? 0 : BACKFILL_IDLE_POLL_MS);
      }
      ConsumerRecords<byte[], byte[]> records;
      try {
        records = consumer.poll(Duration.ofMillis(waitMs));
      } catch (WakeupException e) {
        if (running) {
          throw e;
        }
        break;
      }
      if (!records.isEmpty()) {
        // Idle polls are not work: only a poll that brought images counts, as waiting for input.
        long polledAt = System.currentTimeMillis();
        stats.recordStage(EmbeddingStats.Stage.POLL, System.nanoTime() - now);
        for (ConsumerRecord<byte[], byte[]> r : records) {
          if (r.timestamp() >= 0) {
            stats.recordQueue(polledAt - r.timestamp());
          }
        }
      }
      List<ConsumerRecord<byte[], byte[]>> polled = new ArrayList<>();
      records.forEach(polled::add);
      for (int i = 0; i < polled.size(); i++) {
        if (pending.isEmpty()) {
          // Idle CPUs: a short wait (a partial batch costs a forward pass and a transaction, which only a busy
          // machine has to save); busy ones: the full wait, so that batches fill.
          batchDeadline = System.nanoTime() + settings.batchWaitMs(MachineCpuLoad.SHARED.getAsDouble()) * 1_000_000;
        }
        pending.add(polled.get(i));
        if (pending.size() >= settings.batchSize() && !processPending()) {
          // The transaction was aborted and its partitions rewound; the rest of this poll must come again too.
          rewindTo(polled.subList(i + 1, polled.size()));
          break;
        }
      }
      backfillRemaining = backfill.remaining();
      backfillGave = false;
      if (backfilling && pending.size() + pendingBackfill.size() < settings.batchSize()) {
        backfillGave = topUpFromBackfill();
        // A full batch, or all the backfill has right now: no reason to wait for more live images.
        if (pending.size() + pendingBackfill.size() >= settings.batchSize()
            || (!backfillGave && !pendingBackfill.isEmpty())) {
          processPending();
        }
      }
      if (!pending.isEmpty() && System.nanoTime() >= batchDeadline) {
        processPending();
      }
      // Nothing more came (caught up), or the open transaction is old enough: make its batches visible. A
      // transaction of backfill images only stays open while more backfill follows (processPending decides).
      boolean backfillOnly = transaction.isOpen() && !transaction.hasLive() && backfill.active();
      if (pending.isEmpty() && pendingBackfill.isEmpty() && transaction.isOpen()
          && ((records.isEmpty() && !backfillOnly) || System.nanoTime() >= transaction.deadline())) {
        commitTransaction();
      }
    }
    if (!pending.isEmpty() || !pendingBackfill.isEmpty()) {
      processPending();
    }
    if (transaction.isOpen()) {
      commitTransaction();
    }
  }

  /**
   * Preprocess, one forward pass, then the embeddings and dead letters are sent in the open transaction (begun if
   * none is) with the batch's offsets. The transaction is committed at once unless the batch was full (more are
   * waiting) and the transaction is still young ({@code embedding.transaction.max.batches}, {@code .max.ms}).
   *
   * @return false when the transaction was aborted and the consumer rewound to its first offsets
   */
  private boolean processPending() {
    if (pending.isEmpty() && pendingBackfill.isEmpty()) {
      return true;
    }
    if (!lane.seeksOnSwitch(settings)) {
      // A lane that never seeks can switch with records pending, and must: a big image that the regular lane
      // re-forwards after a promotion becomes visible only after that lane switched, so it gets the new version.
      switchModelIfPromoted();
    }
    List<ConsumerRecord<byte[], byte[]>> live = new ArrayList<>(pending);
    List<ConsumerRecord<byte[], byte[]>> back = new ArrayList<>(pendingBackfill);
    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(live);
    batch.addAll(back);
    pending.clear();
    pendingBackfill.clear();
    EmbeddingModel novelty = serving.novelty();
    int noveltyVersion = novelty == null ? 0 : novelty.descriptor().version();
    boolean secondPass = novelty != null && noveltyVersion != model.descriptor().version();
    BatchEmbedder.Outcome outcome = embedder.embed(batch, predictor, model.descriptor(),
        secondPass ? novelty::encode : null, noveltyVersion);
    long sendStart = System.nanoTime();
    if (!send(live, back, outcome.records())) {
      return false;
    }
    long sendNanos = System.nanoTime() - sendStart;
    // Counted when its transaction commits: "embedded" means visible to read_committed readers.
    transaction.onCommit(() -> {
      stats.recordStage(EmbeddingStats.Stage.DECODE, outcome.decodeNanos());
      stats.recordStage(EmbeddingStats.Stage.FORWARD, outcome.forwardNanos());
      stats.recordStage(EmbeddingStats.Stage.SERIALIZE, outcome.serializeNanos());
      stats.recordStage(EmbeddingStats.Stage.COMMIT, sendNanos);
      stats.recordBatch(batch.size(), outcome.embedded(), outcome.forwardNanos());
      stats.recordForwardedLarge(outcome.forwarded());
    });
    // Live images backlogged, or a batch of backfill only with more to come: keep the transaction open for
    // throughput. A batch that carries fresh live images commits now: they must not wait for the backfill.
    boolean backfillOnly = live.isEmpty() && backfill.active();
    boolean moreWaiting = backlogged(live.size()) || backfillOnly;
    int maxBatches = backfillOnly ? Math.min(settings.transactionMaxBatches(), BACKFILL_TRANSACTION_MAX_BATCHES)
        : settings.transactionMaxBatches();
    boolean keepOpen = moreWaiting && transaction.batches() < maxBatches && System.nanoTime() < transaction.deadline();
    return keepOpen || commitTransaction();
  }

  /**
   * Whether the transaction should stay open for the next batch: this one was full and at least another full batch
   * is already waiting in Kafka. A full batch alone is not a backlog: at three quarters of the maximum rate batches
   * fill while nothing more waits, and the last full batch of a burst would otherwise wait in the open transaction
   * for the next poll to time out (up to {@code embedding.transaction.max.ms}) before anyone sees it.
   */
  private boolean backlogged(int liveInBatch) {
    return liveInBatch >= settings.batchSize() && waitingInKafka() >= settings.batchSize();
  }

  /**
   * Records of the live partitions that this worker has not polled yet, as of the last fetch (the consumer's own
   * lag; no request). A partition whose lag is not known yet counts as none: then the batch commits.
   */
  private long waitingInKafka() {
    long waiting = 0;
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong lag = consumer.currentLag(tp);
      if (lag.isPresent()) {
        waiting += lag.getAsLong();
      }
    }
    return waiting;
  }

  /** Sends a batch's records in the open transaction (beginning one if needed) and remembers its offsets. */
  private boolean send(List<ConsumerRecord<byte[], byte[]>> live, List<ConsumerRecord<byte[], byte[]>> back,
      List<ProducerRecord<byte[], byte[]>> out) {
    try {
      if (!transaction.isOpen()) {
        producer.beginTransaction();
        long windowMs = live.isEmpty() ? Math.min(settings.transactionMaxMs(), BACKFILL_TRANSACTION_MAX_MS)
            : settings.transactionMaxMs();
        transaction.begin(System.nanoTime() + windowMs * 1_000_000);
      }
      for (ProducerRecord<byte[], byte[]> record : out) {
        producer.send(record);
      }
      transaction.add(live);
      backfill.add(back);
      return true;
    } catch (ProducerFencedException | FencedInstanceIdException | InvalidProducerEpochException e) {
      throw e;
    } catch (KafkaException e) {
      transaction.add(live);   // its records must come again too (the backfill ones from its committed positions)
      abortAndRewind(e);
      return false;
    }
  }

  /** The open transaction's offsets, then its commit: everything it holds becomes visible at once, or nothing. */
  private boolean commitTransaction() {
    long start = System.nanoTime();
    try {
      if (transaction.hasLive()) {
        producer.sendOffsetsToTransaction(transaction.offsets(), consumer.groupMetadata());
      }
      Map<TopicPartition, OffsetAndMetadata> backfillOffsets = backfill.offsetsToCommit();
      if (!backfillOffsets.isEmpty()) {
        // A second group in the same transaction: the backfill's progress is exactly as durable as its output.
        producer.sendOffsetsToTransaction(backfillOffsets, new ConsumerGroupMetadata(backfillGroupId()));
      }
      producer.commitTransaction();
      stats.recordStage(EmbeddingStats.Stage.COMMIT, System.nanoTime() - start);
      transaction.committed();
      backfill.committed();
      if (backfillConsumer != null) {
        Set<TopicPartition> unfinished = backfill.committedPositions().keySet();
        if (!unfinished.containsAll(backfillConsumer.assignment())) {
          backfillConsumer.assign(unfinished);   // finished partitions leave
        }
      }
      return true;
    } catch (ProducerFencedException | FencedInstanceIdException | InvalidProducerEpochException e) {
      throw e;
    } catch (KafkaException e) {
      abortAndRewind(e);
      return false;
    }
  }

  /** Abortable error: nothing of the transaction is visible. Rewind to its first offsets and redo it. */
  private void abortAndRewind(KafkaException e) {
    LOG.warn("{}: transaction aborted ({}); its {} batch(es) will be retried", lane.threadName(index),
        e.getMessage(), transaction.batches());
    if (transaction.isOpen()) {
      producer.abortTransaction();
    }
    transaction.firstOffsets().forEach((tp, offset) -> {
      if (consumer.assignment().contains(tp)) {
        consumer.seek(tp, offset);
      }
    });
    transaction.clear();
    pending.clear();
    if (backfillConsumer != null) {
      backfill.aborted();
      pendingBackfill.clear();
      backfillBuffer.clear();
      seekBackfillToCommitted();
    }
  }

  /** After an abort: records polled but not yet batched must be polled again (their positions are past them). */
  private void rewindTo(List<ConsumerRecord<byte[], byte[]>> notProcessed) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : notProcessed) {
      first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
    }
    first.forEach((tp, offset) -> {
      if (consumer.assignment().contains(tp) && consumer.position(tp) > offset) {
        consumer.seek(tp, offset);
      }
    });
  }

  /** Finish the pending batch while we still own its partitions; drop it when they were lost. */
  private final class FlushOnRevoke implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (processPending() && transaction.isOpen()) {
        commitTransaction();
      }
      forgetBackfill(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // Live positions come from the committed offsets. The backfill resumes from its own committed offsets, or
      // starts when this partition's recorded version is older than the serving one.
      if (backfillConsumer == null || partitions.isEmpty()) {
        return;
      }
      Set<TopicPartition> assigned = Set.copyOf(partitions);
      Map<TopicPartition, OffsetAndMetadata> committed = backfillConsumer.committed(assigned);
      Map<TopicPartition, Long> beginnings = backfillConsumer.beginningOffsets(assigned);
      for (TopicPartition tp : assigned) {
        backfill.assigned(tp, committed.get(tp), model.descriptor().version(), beginnings.getOrDefault(tp, 0L),
            consumer.position(tp));
      }
      backfillBuffer.clear();
      seekBackfillToCommitted();
      if (backfill.remaining() > 0) {
        LOG.info("{}: re-embedding {} retained image(s) with v{} beside the live stream", lane.threadName(index),
            backfill.remaining(), model.descriptor().version());
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forgetBackfill(partitions);
      pending.clear();
      if (transaction.isOpen()) {
        // Its offsets belong to a generation that is gone: it could not commit; nothing of it becomes visible.
        try {
          producer.abortTransaction();
        } catch (KafkaException e) {
          LOG.warn("{}: could not abort the transaction of lost partitions ({})", lane.threadName(index),
              e.getMessage());
        }
        transaction.clear();
      }
    }

    /** Partitions gone: their backfill continues with their next owner, from its committed offsets. */
    private void forgetBackfill(Collection<TopicPartition> partitions) {
      if (backfillConsumer == null) {
        return;
      }
      backfill.revoked(partitions);
      backfill.aborted();   // nothing of it is open any more: a revoke committed, a loss aborted
      pendingBackfill.clear();
      backfillBuffer.clear();
      seekBackfillToCommitted();
    }
  }
}
