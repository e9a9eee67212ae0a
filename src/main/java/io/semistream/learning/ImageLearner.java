package io.semistream.learning;

import io.semistream.config.LearnerSettings;
import io.semistream.kafka.Origins;
import io.semistream.records.DeadLetters;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.Exemplar;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.records.PrototypeDelta;
import io.semistream.records.RejectReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The per-image learner (one instance per stream task). Its inputs are the learner's own by-image topics, into
 * which {@code embeddings} and {@code labels} were re-keyed, so an image's embedding and label always meet in
 * one task whatever partitioner their producers used. For every image it keeps the embedding, its true label,
 * what it contributes to a prototype and the last prediction; every change of contribution leaves as an exact
 * {@link PrototypeDelta} towards the class's aggregator.
 *
 * <ul>
 *   <li>An unlabelled embedding is classified against all prototypes (the global store), scored for anomaly,
 *       and becomes a pseudo-label when the self-training rule allows ({@link LabelDecision}).</li>
 *   <li>A label before its embedding waits (bounded by {@code learner.label.wait.ms}); a late label replaces
 *       any pseudo contribution by the true one; a relabel moves the image between prototypes.</li>
 *   <li>A wall-clock punctuation re-classifies the backlog when prototypes moved (the f1 → D2 → f2 loop),
 *       emitting corrections with a higher version, and evicts expired backlog and orphan labels. Without new
 *       input, at most {@code learner.relabel.idle.rounds} such rounds run: the loop converges.</li>
 * </ul>
 */
final class ImageLearner implements Processor<String, byte[], String, Object> {
  static final String STAGE = "learner";
  /**
   * How often a task re-reads the exemplar table when no exemplar came or went (a newer version's embedding of a
   * labelled image replaces one); a new true label is seen at once.
   */
  static final long EXEMPLAR_REFRESH_MS = 1_000;
  private static final int FULL_SCAN_EVERY = 12;
  /** Images read from the store per step of a punctuation's walk (each one is an embedding and its state). */
  static final int SCAN_CHUNK = 1024;

  private final LearnerSettings settings;
  private final LearnerTopology.Sinks sinks;
  private final PrototypeClassifier classifier;
  private final LabelDecision decision;
  private final PrototypeDrift drift;
  private final LearnerObserver observer;
  private final JsonSerde<LabelRecord> labels;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, ImageState> images;
  private AnomalyRing recent;
  private AnomalyDetector anomalies;
  private SelfTrainingGate gate;
  private PrototypeView prototypes;
  /** The nearest labelled images' vote beside the prototypes; null: the prototypes alone decide. */
  private final ExemplarVote vote;
  private ExemplarView exemplars;
  private ReadOnlyKeyValueStore<String, Exemplar> exemplarTable;
  private RelabelRanking relabelRanking;
  private long punctuations;
  private int idleRounds;
  private long externalChangesSeen;
  private Round round;
  private long lastRelabelCheckMs;
  /**
   * The calling stream thread's pacer, which asks for a commit before the interval while the CPUs are idle; null:
   * every commit at the interval.
   */
  private final Supplier<CommitPacer> pacers;

  ImageLearner(LearnerSettings settings, LearnerTopology.Sinks sinks, LearnerObserver observer,
      JsonSerde<LabelRecord> labels, Supplier<CommitPacer> pacers) {
    this.labels = labels;
    this.settings = settings;
    this.sinks = sinks;
    this.observer = observer;
    this.classifier = new PrototypeClassifier(settings.classification().metric(),
        settings.classification().temperature());
    this.decision = new LabelDecision(settings.selfTraining());
    this.drift = new PrototypeDrift(settings.selfTraining().relabelMinDrift());
    var c = settings.classification();
    // The vote is by cosine: under the Euclidean metric the prototypes alone decide.
    this.vote = c.exemplarNeighbours() == 0 || c.metric() != io.semistream.config.DistanceMetric.COSINE ? null
        : new ExemplarVote(c.exemplarNeighbours(), c.exemplarTemperature(), c.exemplarPrototypeWeight());
    this.pacers = pacers;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.images = context.getStateStore(LearnerStores.IMAGES);
    this.recent = new AnomalyRing(context.getStateStore(LearnerStores.RECENT_ANOMALIES));
    LearnerSettings.Anomalies a = settings.anomalies();
    this.anomalies = new AnomalyDetector(context.getStateStore(LearnerStores.ANOMALY_WINDOW), a.window(),
        a.warmup(), a.quantile(), a.reconWeight());
    this.gate = new SelfTrainingGate(context.getStateStore(LearnerStores.SELF_TRAINING_GATE));
    this.prototypes = new PrototypeView(context.getStateStore(LearnerStores.PROTOTYPES),
        context.getStateStore(LearnerStores.ZERO_SHOT_PROTOTYPES),
        context.getStateStore(LearnerStores.CLASS_CANDIDATES), settings.classification().prototypeRefreshMs(),
        settings.selfTraining().minLabels());
    if (vote != null) {
      this.exemplarTable = context.getStateStore(LearnerStores.EXEMPLARS);
      this.exemplars = new ExemplarView(exemplarTable, settings.classification().exemplarMaxPerClass(),
          EXEMPLAR_REFRESH_MS);
    }
    this.relabelRanking = new RelabelRanking(classifier, settings.classification().engineRankingMinClasses());
    LearnerSettings.SelfTraining t = settings.selfTraining();
    lastRelabelCheckMs = context.currentSystemTimeMs();
    // One punctuator for both, so a check and a step never walk twice at one instant.
    context.schedule(Duration.ofMillis(t.relabelInSteps() ? t.relabelStepMs() : t.relabelIntervalMs()),
        PunctuationType.WALL_CLOCK_TIME, this::onRelabelClock);
    if (pacers != null) {
      context.schedule(Duration.ofMillis(settings.commit().idleIntervalMs()), PunctuationType.WALL_CLOCK_TIME,
          wallClockMs -> commitEarlyIf(pacers.get().tick(wallClockMs)));
    }
  }

  private void commitEarlyIf(boolean due) {
    if (due) {
      context.commit();
      observer.earlyCommitRequested();
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    idleRounds = 0;
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    if (record.key() == null || record.key().isEmpty()) {
      deadLetter(record, RejectReason.MISSING_KEY, "record has no image id (key)");
    } else if (sinks.isLabelTopic(topic)) {
      onLabel(record);
    } else {
      onEmbedding(record);
    }
    if (pacers != null) {
      CommitPacer pacer = pacers.get();
      long now = context.currentSystemTimeMs();
      pacer.processed(record.timestamp(), now);
      commitEarlyIf(pacer.commitNow(now));
    }
  }

  private void onEmbedding(Record<String, byte[]> record) {
    EmbeddingRecord e;
    try {
      e = EmbeddingSerde.decode(record.value());
      if (e == null) {
        throw new SerializationException("embedding record has no value");
      }
    } catch (SerializationException ex) {
      deadLetter(record, RejectReason.MALFORMED_EMBEDDING, ex.getMessage());
      return;
    }
    int dimension = settings.classification().embeddingDimension();
    if (e.dimension() != dimension) {
      deadLetter(record, RejectReason.MALFORMED_EMBEDDING, "embedding of dimension " + e.dimension()
          + ", learner.embedding.dimension is " + dimension);
      return;
    }
    float[] ownNovelty = e.hasOwnNoveltyVector() ? e.noveltyVector() : null;
    if (ownNovelty != null && ownNovelty.length != dimension) {
      deadLetter(record, RejectReason.MALFORMED_EMBEDDING, "novelty view of dimension " + ownNovelty.length
          + ", learner.embedding.dimension is " + dimension);
      return;
    }
    String id = record.key();
    long now = context.currentStreamTimeMs();
    ImageState before = images.get(id);
    ImageState state = (before == null ? ImageState.labelOnly(null, now) : before)
        .withEmbedding(e.vector(), e.reconstructionError(), e.modelId(), e.modelVersion(), e.eventTime(), now,
            e.noveltyVersion(), ownNovelty);
    if (state.pendingLabel() != null) {
      state = state.withTrueLabel(state.pendingLabel().className());
    }
    // A replaced embedding (same image, e.g. a new encoder version) must leave the old vector's contribution.
    if (before != null && before.hasEmbedding() && before.contribution() != null) {
      emitDelta(before.contribution(), -1, before);
      state = state.withContribution(null);
    }
    update(id, state, true, record.timestamp());
  }

  private void onLabel(Record<String, byte[]> record) {
    byte[] value = record.value();
    if (value == null || value.length == 0) {
      deadLetter(record, RejectReason.MALFORMED_LABEL, "label record has no value");
      return;
    }
    int maxBytes = settings.retention().maxLabelBytes();
    if (value.length > maxBytes) {
      deadLetter(record, RejectReason.MALFORMED_LABEL,
          "label of " + value.length + " bytes exceeds learner.max.label.bytes=" + maxBytes);
      return;
    }
    LabelRecord label;
    try {
      label = labels.decode(value);
    } catch (SerializationException ex) {
      deadLetter(record, RejectReason.MALFORMED_LABEL, ex.getMessage());
      return;
    }
    observer.labelReceived();
    String id = record.key();
    long now = context.currentStreamTimeMs();
    ImageState state = images.get(id);
    var pending = new ImageState.PendingLabel(label.className(), label.annotator(), label.time(), now);
    if (state == null || !state.hasEmbedding()) {
      images.put(id, state == null ? ImageState.labelOnly(pending, now) : state.withPending(pending));
      return;
    }
    if (state.trueLabel() == null) {
      testPrototypeSets(state, label.className());
    }
    update(id, state.withTrueLabel(label.className()), false, record.timestamp());
  }

  /** A fresh true label for a seen image: score both prototype sets on it before it joins them. */
  private void testPrototypeSets(ImageState image, String truth) {
    prototypes.refreshIfStale(false);
    Ranking blended = classifier.rank(image.embedding(), prototypes.index(image.modelVersion(), true, classifier));
    Ranking labelsOnly = classifier.rank(image.embedding(),
        prototypes.index(image.modelVersion(), false, classifier));
    if (blended != null && labelsOnly != null) {
      gate.record(image.modelVersion(), blended.best().equals(truth), labelsOnly.best().equals(truth));
      double[] c = gate.snapshot(image.modelVersion());
      observer.labelAccuracy(c[0] / c[2], c[1] / c[2], gate.useBlended(image.modelVersion()));
    }
  }

  /**
   * Decides contribution and prediction for {@code state} against the current prototypes, emits what changed
   * and stores the result. {@code arrival}: the embedding just arrived, so the anomaly detector sees it.
   */
  private void update(String id, ImageState state, boolean arrival, long timestamp) {
    update(id, state, arrival, timestamp, null, false);
  }

  /**
   * {@code ranked}: the image's ranking when a relabel round computed it in a batch; null: rank it here.
   * {@code stored}: {@code state} is the store's own value (a relabel round), so an unchanged result is not
   * written again: a round over a large backlog would otherwise rewrite, and send to the changelog, every image.
   */
  private void update(String id, ImageState state, boolean arrival, long timestamp, Ranking ranked,
      boolean stored) {
    prototypes.refreshIfStale(false);
    LabelDecision.Decision d;
    if (state.trueLabel() != null) {
      d = decision.labelled(state);
    } else {
      List<Prototype> candidates = prototypes.forModel(state.modelVersion());
      PrototypeIndex index = prototypes.index(state.modelVersion(), gate.useBlended(state.modelVersion()),
          classifier);
      Ranking r = ranked != null ? ranked : classifier.rank(state.embedding(), index);
      if (vote != null) {
        exemplars.refreshIfStale(false);
        r = vote.rank(state.embedding(), r, index, exemplars.forVersion(state.modelVersion()));
      }
      AnomalyDetector.Verdict fresh = null;
      if (r != null && arrival && candidates.size() >= 2) {
        PrototypeIndex novelty = noveltyIndex(state);
        if (novelty != null) {
          fresh = anomalies.observe(classifier.nearestEuclidean(novelty.scaled(state.novelty()), novelty),
              state.reconstructionError(), new AnomalyDetector.Reference(state.noveltyVersion(), novelty.size()));
        } else {
          fresh = anomalies.observe(r.nearestEuclidean(), state.reconstructionError(),
              new AnomalyDetector.Reference(-state.modelVersion(), index.size()));
        }
        observer.anomalyScored(fresh.score(), fresh.threshold(), fresh.anomaly(), novelty != null);
      }
      Ranking zeroShot = r == null ? null
          : classifier.rank(state.embedding(), prototypes.zeroShotIndex(state.modelVersion(), classifier));
      d = decision.unlabelled(state, r, fresh, r == null ? null : prototypes.get(r.best()), zeroShot);
    }
    ImageState next = applyContribution(state, d.contribution());
    if (vote != null && d.contribution() != null && !d.contribution().pseudo()
        && !Objects.equals(state.contribution(), d.contribution())) {
      publishExemplar(id, d.contribution().className(), state);
    }
    if (d.prediction() != null && !d.prediction().sameOutcome(state.prediction())) {
      Prediction p = d.prediction().withVersion(state.nextPredictionVersion());
      next = next.withPrediction(p);
      context.forward(new Record<>(id, (Object) p, timestamp), LearnerTopology.Sinks.PREDICTIONS);
      observer.predictionEmitted(p, System.currentTimeMillis() - p.eventTime(), p.version() > 1);
    }
    if (d.anomaly() != null) {
      context.forward(new Record<>(id, (Object) d.anomaly(), timestamp), LearnerTopology.Sinks.ANOMALIES);
      recent.remember(id, d.anomaly());
    }
    if (!stored || next != state) {
      images.put(id, next);
    }
  }

  /**
   * Where the anomaly score's distance is taken (learner.anomaly.view=novelty): the true-label class means in the
   * novelty view's space, the score the distance to the nearest. Null when the image has no view or fewer than two
   * classes have a mean there: the score is then taken to the nearest prototype of the serving ranking. While the
   * novelty version serves, both are the same space.
   */
  private PrototypeIndex noveltyIndex(ImageState state) {
    if (!settings.anomalies().noveltyView() || state.novelty() == null) {
      return null;
    }
    return prototypes.noveltyIndex(state.modelVersion(), state.noveltyVersion(), classifier,
        settings.anomalies().scaledDistance());
  }

  private ImageState applyContribution(ImageState s, ImageState.Contribution wanted) {
    if (Objects.equals(s.contribution(), wanted)) {
      return s;
    }
    if (s.contribution() != null) {
      emitDelta(s.contribution(), -1, s);
    }
    if (wanted != null) {
      emitDelta(wanted, +1, s);
    }
    return s.withContribution(wanted);
  }

  private void publishExemplar(String id, String className, ImageState s) {
    Exemplar e = new Exemplar(className, s.embedding(), s.modelId(), s.modelVersion(),
        Math.max(0, context.currentStreamTimeMs()));
    context.forward(new Record<>(id, (Object) e, Math.max(0, context.currentStreamTimeMs())),
        LearnerTopology.Sinks.EXEMPLARS);
  }

  /**
   * A labelled image whose exemplar the table lacks, or holds for another class or encoder version, is published
   * again as a store walk passes it. Why: labels learned before the vote existed (an upgrade), with the vote off, or
   * a table that lost records would otherwise never vote; an exemplar written in this very transaction and not yet
   * read back is written twice, which the compacted topic absorbs.
   */
  private void republishIfMissing(String id, ImageState s) {
    if (exemplarTable == null) {
      return;
    }
    Exemplar e = exemplarTable.get(id);
    if (e == null || e.modelVersion() != s.modelVersion() || !e.className().equals(s.trueLabel())) {
      publishExemplar(id, s.trueLabel(), s);
    }
  }

  private void emitDelta(ImageState.Contribution c, int sign, ImageState s) {
    // The novelty view goes with true labels only: its class means are the anomaly score's reference.
    float[] novelty = c.pseudo() ? null : s.novelty();
    PrototypeDelta delta = new PrototypeDelta(c.className(), c.pseudo(), sign * c.weight(), s.embedding(),
        s.modelId(), s.modelVersion(), context.currentStreamTimeMs(), novelty == null ? 0 : s.noveltyVersion(),
        novelty);
    context.forward(new Record<>(c.className(), (Object) delta, Math.max(0, context.currentStreamTimeMs())),
        LearnerTopology.Sinks.DELTAS);
  }

  /**
   * Relabel the backlog when prototypes moved; every few rounds also expire orphans and old backlog. Pseudo-labels
   * move prototypes, which move pseudo-labels: without new input only {@code relabel.idle.rounds} rounds run, so
   * an idle learner falls silent instead of oscillating. A round walks the store in key order, at most
   * {@code relabel.max.images} images per {@code relabel.interval.ms}, in steps every {@code relabel.step.ms}
   * between the checks (each its share of those images); a round over a larger backlog goes on in the next
   * interval where it stopped (with the prototypes of then), and no new round starts before it ends.
   *
   * <p>Why steps: the walk runs on the stream thread, and every image that arrives meanwhile waits for it; a whole
   * interval's walk at once (20,000 images per task) held the thread for up to 217 ms in the latency bench.
   */
  void onRelabelClock(long wallClock) {
    if (wallClock - lastRelabelCheckMs >= settings.selfTraining().relabelIntervalMs()) {
      lastRelabelCheckMs = wallClock;
      punctuate(wallClock);
    } else if (round != null) {
      step();   // between two checks: the round goes on where it stopped, with the prototypes the view holds now
    }
  }

  /** A check, every {@code relabel.interval.ms}: starts a round when prototypes moved, and takes a step of it. */
  void punctuate(long wallClock) {
    punctuations++;
    prototypes.refreshIfStale(true);
    if (exemplars != null) {
      // Not forced: re-reading a large table is paced by its own cost (see ExemplarView).
      exemplars.refreshIfStale(false);
    }
    Map<String, double[]> snapshot = prototypes.snapshot();
    observer.prototypes(prototypes.all(), drift.maxDrift(snapshot));
    observer.backlog(context.taskId().partition(), images.approximateNumEntries());
    if (round == null) {
      // Synthesized prototypes and seeds from named candidates come from other services, not from this loop's
      // pseudo-labels: a change of them (semantic vectors published, a candidate named, at an idle learner)
      // re-labels the backlog without counting as a round.
      boolean externalChange = prototypes.externalChanges() != externalChangesSeen;
      boolean moved = (drift.moved(snapshot) && idleRounds < settings.selfTraining().relabelIdleRounds())
          || externalChange;
      boolean fullScan = punctuations % FULL_SCAN_EVERY == 0;
      if (!moved && !fullScan) {
        return;
      }
      if (moved) {
        drift.accept(snapshot);
        externalChangesSeen = prototypes.externalChanges();
        idleRounds += externalChange ? 0 : 1;
      }
      round = new Round(moved);
    }
    step();
  }

  /** One step of the round in progress: its share of the interval's images. */
  private void step() {
    if (pacers != null) {
      pacers.get().relabelled();   // a round's predictions wait for a commit too
    }
    walk(settings.selfTraining().relabelImagesPerWalk());
  }

  /** A round in progress: whether it re-classifies (or only expires), and the last key it has walked. */
  private static final class Round {
    final boolean relabel;
    String last;

    Round(boolean relabel) {
      this.relabel = relabel;
    }
  }

  /**
   * Walks on with the round for up to {@code budget} images, in chunks of {@link #SCAN_CHUNK}, each read through a
   * fresh iterator that starts at the last key walked and is closed before the chunk is written. Why chunks: the
   * heap holds one chunk, not the whole backlog, and nothing is written under an open iterator (a write can flush
   * the store's cache beneath it). Why a budget: a soak's round over 800,000 images outlasted the transaction
   * timeout; the stream thread was fenced, rejoined, and was fenced again.
   */
  private void walk(int budget) {
    long streamTime = context.currentStreamTimeMs();
    int walked = 0;
    while (walked < budget) {
      List<KeyValue<String, ImageState>> chunk = new ArrayList<>(SCAN_CHUNK);
      List<String> unreadable = new ArrayList<>();
      String from = round.last;
      int limit = Math.min(SCAN_CHUNK, budget - walked);
      try (KeyValueIterator<String, ImageState> it = images.range(from, null)) {
        while (it.hasNext() && chunk.size() + unreadable.size() < limit) {
          KeyValue<String, ImageState> kv = it.next();
          if (kv.key == null || kv.key.equals(from)) {
            continue;   // range() includes its lower bound: the previous chunk's last key
          }
          round.last = kv.key;
          if (kv.value != null) {
            chunk.add(kv);
          } else {
            unreadable.add(kv.key);   // junk from the changelog (LenientStoreSerde): no image; removed for good
          }
        }
      }
      if (chunk.isEmpty() && unreadable.isEmpty()) {
        round = null;   // the end of the store: the round is over
        return;
      }
      walked += chunk.size() + unreadable.size();
      unreadable.forEach(images::delete);
      scan(chunk, streamTime, round.relabel);
    }
  }

  /** One chunk of the store's walk: evicts orphans and expired backlog, re-classifies the rest when moved. */
  private void scan(List<KeyValue<String, ImageState>> chunk, long streamTime, boolean moved) {
    List<KeyValue<String, ImageState>> backlog = new ArrayList<>();
    for (KeyValue<String, ImageState> kv : chunk) {
      ImageState s = kv.value;
      if (!s.hasEmbedding()) {
        if (s.pendingLabel() != null && streamTime - s.pendingLabel().arrivedAt() > settings.retention().labelWaitMs()) {
          orphan(kv.key, s.pendingLabel());
          images.delete(kv.key);
        }
        continue;
      }
      if (s.trueLabel() == null && streamTime - s.firstSeen() > settings.retention().backlogMs()) {
        applyContribution(s, null);
        images.delete(kv.key);
        continue;
      }
      if (moved && s.trueLabel() == null) {
        backlog.add(kv);
      }
      if (s.trueLabel() != null) {
        republishIfMissing(kv.key, s);
      }
    }
    Map<String, Ranking> ranked = rankInBatches(backlog);
    for (KeyValue<String, ImageState> kv : backlog) {
      // Stamped with stream time, not the image's event time: a correction is written now, and an old event
      // time (a backfill, a replay) would put it in a segment the topic's time retention deletes at once.
      update(kv.key, kv.value, false, Math.max(0, streamTime), ranked.get(kv.key), true);
    }
  }

  /**
   * The rankings of the round's unlabelled backlog, per encoder version in batches on the engine where the
   * prototype set is large enough ({@link RelabelRanking}); images left out are ranked one at a time.
   */
  private Map<String, Ranking> rankInBatches(List<KeyValue<String, ImageState>> backlog) {
    Map<Integer, List<KeyValue<String, ImageState>>> byVersion = new java.util.HashMap<>();
    for (KeyValue<String, ImageState> kv : backlog) {
      byVersion.computeIfAbsent(kv.value.modelVersion(), v -> new ArrayList<>()).add(kv);
    }
    Map<String, Ranking> out = new java.util.HashMap<>();
    byVersion.forEach((version, images) -> {
      Ranking[] r = relabelRanking.rank(prototypes.index(version, gate.useBlended(version), classifier),
          images.stream().map(kv -> kv.value.embedding()).toList());
      for (int i = 0; r != null && i < r.length; i++) {
        out.put(images.get(i).key, r[i]);
      }
    });
    return out;
  }

  @Override
  public void close() {
    if (relabelRanking != null) {
      relabelRanking.close();
    }
  }

  private void orphan(String id, ImageState.PendingLabel label) {
    byte[] value = labels.encode(new LabelRecord(label.className(), label.annotator(), label.time()));
    // Stream time, not the label's own time field (any value a producer chose), for the same reason as above.
    forwardDeadLetter(id, value, new RecordHeaders(), context.currentStreamTimeMs(),
        new DeadLetters.Origin(sinks.labelsTopic(), -1, -1), RejectReason.ORPHAN_LABEL, "no embedding arrived for image " + id + " within learner.label.wait.ms="
            + settings.retention().labelWaitMs());
  }

  private void deadLetter(Record<String, byte[]> record, RejectReason reason, String error) {
    DeadLetters.Origin origin = Origins.of(context.recordMetadata());
    forwardDeadLetter(record.key(), record.value(), record.headers(), record.timestamp(), origin, reason, error);
  }

  private void forwardDeadLetter(String key, byte[] value, Headers original, long timestamp,
      DeadLetters.Origin origin, RejectReason reason, String error) {
    observer.deadLettered(reason);
    Headers headers = DeadLetters.headers(original, origin, reason, error, STAGE, System.currentTimeMillis());
    // The dead-letter sink writes String keys as UTF-8: the same bytes as the original (valid UTF-8) key.
    context.forward(new Record<>(key, (Object) value, Math.max(0, timestamp), headers),
        LearnerTopology.Sinks.DEAD_LETTER);
  }
}
