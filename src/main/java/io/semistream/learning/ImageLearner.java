package io.semistream.learning;

import io.semistream.config.LearnerSettings;
import io.semistream.ingest.DeadLetters;
import io.semistream.ingest.EmbeddingRecord;
import io.semistream.ingest.EmbeddingSerde;
import io.semistream.ingest.JsonSerde;
import io.semistream.ingest.LabelRecord;
import io.semistream.ingest.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The per-image learner (one instance per stream task, co-partitioned inputs {@code embeddings} and
 * {@code labels} keyed by image id). For every image it keeps the embedding, its true label, what it
 * contributes to a prototype and the last prediction; every change of contribution leaves as an exact
 * {@link PrototypeDelta} towards the class's aggregator.
 *
 * <ul>
 *   <li>An unlabelled embedding is classified against all prototypes (the global store), scored for anomaly,
 *       and becomes a pseudo-label when the self-training rule allows (see {@link #pseudoAllowed}).</li>
 *   <li>A label before its embedding waits (bounded by {@code learner.label.wait.ms}); a late label replaces
 *       any pseudo contribution by the true one; a relabel moves the image between prototypes.</li>
 *   <li>A wall-clock punctuation re-classifies the backlog when prototypes moved (the f1 → D2 → f2 loop),
 *       emitting corrections with a higher version, and evicts expired backlog and orphan labels.</li>
 * </ul>
 */
public final class ImageLearner implements Processor<String, byte[], String, Object> {
  public static final String STAGE = "learner";
  private static final int FULL_SCAN_EVERY = 12;
  private static final double HYSTERESIS = 0.1;

  private final LearnerSettings settings;
  private final String labelsTopic;
  private final String deadLetterTopic;
  private final PrototypeClassifier classifier;
  private final JsonSerde<LabelRecord> labels = new JsonSerde<>(LabelRecord.class);
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, ImageState> images;
  private KeyValueStore<Long, RecentAnomalies> recent;
  private AnomalyDetector anomalies;
  private SelfTrainingGate gate;
  private PrototypeView prototypes;
  private Map<String, double[]> lastRelabelSnapshot = new HashMap<>();
  private long punctuations;

  private final LearnerObserver observer;

  public ImageLearner(LearnerSettings settings, String labelsTopic, String deadLetterTopic,
      LearnerObserver observer) {
    this.observer = observer;
    this.settings = settings;
    this.labelsTopic = labelsTopic;
    this.deadLetterTopic = deadLetterTopic;
    this.classifier = new PrototypeClassifier(
        PrototypeClassifier.Metric.valueOf(settings.metric().toUpperCase(java.util.Locale.ROOT)),
        settings.temperature());
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.images = context.getStateStore(LearnerTopology.IMAGES_STORE);
    this.recent = context.getStateStore(LearnerTopology.RECENT_ANOMALIES_STORE);
    this.anomalies = new AnomalyDetector(context.getStateStore(LearnerTopology.ANOMALY_STORE),
        settings.anomalyWindow(), settings.anomalyWarmup(), settings.anomalyQuantile(),
        settings.anomalyReconWeight());
    this.gate = new SelfTrainingGate(context.getStateStore(LearnerTopology.ANOMALY_STORE));
    this.prototypes = new PrototypeView(context.getStateStore(LearnerTopology.PROTOTYPES_STORE),
        settings.prototypeRefreshMs());
    context.schedule(Duration.ofMillis(settings.relabelIntervalMs()), PunctuationType.WALL_CLOCK_TIME,
        this::punctuate);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    if (record.key() == null || record.key().isEmpty()) {
      deadLetter(record, RejectReason.MISSING_KEY, "record has no image id (key)");
    } else if (topic.equals(labelsTopic)) {
      onLabel(record);
    } else {
      onEmbedding(record);
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
    if (e.dimension() != settings.embeddingDimension()) {
      deadLetter(record, RejectReason.MALFORMED_EMBEDDING, "embedding of dimension " + e.dimension()
          + ", learner.embedding.dimension is " + settings.embeddingDimension());
      return;
    }
    String id = record.key();
    long now = context.currentStreamTimeMs();
    ImageState before = images.get(id);
    ImageState state = (before == null ? ImageState.labelOnly(null, now) : before)
        .withEmbedding(e.vector(), e.reconstructionError(), e.modelId(), e.modelVersion(), e.eventTime(), now);
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
    if (value.length > settings.maxLabelBytes()) {
      deadLetter(record, RejectReason.MALFORMED_LABEL,
          "label of " + value.length + " bytes exceeds learner.max.label.bytes=" + settings.maxLabelBytes());
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
      testPrototypeSets(state.embedding(), label.className());
    }
    update(id, state.withTrueLabel(label.className()), false, record.timestamp());
  }

  /** A fresh true label for a seen image: score both prototype sets on it before it joins them. */
  private void testPrototypeSets(float[] embedding, String truth) {
    prototypes.refreshIfStale(false);
    Ranking blended = classifier.rank(embedding, prototypes.all(), true);
    Ranking labelsOnly = classifier.rank(embedding, prototypes.all(), false);
    if (blended != null && labelsOnly != null) {
      gate.record(blended.best().equals(truth), labelsOnly.best().equals(truth));
      double[] c = gate.snapshot();
      observer.labelAccuracy(c[0] / c[2], c[1] / c[2], gate.useBlended());
    }
  }

  /**
   * Decides contribution and prediction for {@code state} against the current prototypes, emits what changed
   * and stores the result. {@code arrival}: the embedding just arrived, so the anomaly detector sees it.
   */
  private void update(String id, ImageState state, boolean arrival, long timestamp) {
    prototypes.refreshIfStale(false);
    Decision d = decide(state, arrival);
    ImageState next = applyContribution(state, d.contribution());
    if (d.prediction() != null && !d.prediction().sameOutcome(state.prediction())) {
      Prediction p = withVersion(d.prediction(), state.nextPredictionVersion());
      next = next.withPrediction(p);
      context.forward(new Record<>(id, (Object) p, timestamp), LearnerTopology.PREDICTIONS_SINK);
      observer.predictionEmitted(p, System.currentTimeMillis() - p.eventTime(), p.version() > 1);
    }
    if (d.anomaly() != null) {
      context.forward(new Record<>(id, (Object) d.anomaly(), timestamp), LearnerTopology.ANOMALIES_SINK);
      remember(id, d.anomaly());
    }
    images.put(id, next);
  }

  private record Decision(ImageState.Contribution contribution, Prediction prediction, Anomaly anomaly) {
  }

  private Decision decide(ImageState s, boolean arrival) {
    if (s.trueLabel() != null) {
      return new Decision(new ImageState.Contribution(s.trueLabel(), false, 1.0),
          new Prediction(s.trueLabel(), 1.0, 1.0, Prediction.Status.LABELLED, 1, s.modelId(), s.modelVersion(),
              s.eventTime(), null), null);
    }
    Ranking r = classifier.rank(s.embedding(), prototypes.all(), gate.useBlended());
    if (r == null) {
      return new Decision(null, null, null);
    }
    Double score = null;
    Anomaly anomaly = null;
    boolean flagged = false;
    if (arrival && prototypes.all().size() >= 2) {
      AnomalyDetector.Verdict v = anomalies.observe(r.nearestEuclidean(), s.reconstructionError());
      observer.anomalyScored(v.score(), v.threshold(), v.anomaly());
      score = v.score();
      if (v.anomaly()) {
        flagged = true;
        anomaly = new Anomaly(v.score(), v.threshold(), s.reconstructionError(), r.nearestEuclidean(), r.best(),
            s.eventTime());
      }
    } else if (!arrival && s.prediction() != null) {
      score = s.prediction().anomalyScore();
      flagged = s.prediction().status() == Prediction.Status.ANOMALY;
    }
    Prediction.Status status;
    ImageState.Contribution contribution = null;
    if (flagged) {
      status = Prediction.Status.ANOMALY;
    } else if (pseudoAllowed(r, s.contribution())) {
      status = Prediction.Status.PSEUDO;
      contribution = new ImageState.Contribution(r.best(), true, settings.pseudoWeight());
    } else {
      status = Prediction.Status.UNCERTAIN;
    }
    return new Decision(contribution, new Prediction(r.best(), r.confidence(), r.margin(), status, 1, s.modelId(),
        s.modelVersion(), s.eventTime(), score), anomaly);
  }

  /**
   * The guard against confirmation bias: only confident predictions with a clear margin, only for classes with
   * enough true labels, and never more pseudo weight in a class than {@code pseudo.max.ratio} times its true
   * labels (class-balanced: a dominant class cannot swallow its neighbours).
   */
  private boolean pseudoAllowed(Ranking r, ImageState.Contribution current) {
    boolean alreadyCounted = current != null && current.pseudo() && current.className().equals(r.best());
    // Hysteresis: a pseudo-label already held survives small dips, so relabel rounds converge instead of
    // flipping images in and out of a prototype as it moves by their own weight.
    double slack = alreadyCounted ? HYSTERESIS : 0;
    if (settings.pseudoWeight() <= 0 || r.confidence() < settings.pseudoMinConfidence() - slack
        || r.margin() < settings.pseudoMinMargin() - slack) {
      return false;
    }
    Prototype p = prototypes.get(r.best());
    if (p == null || p.labelledCount() < settings.pseudoMinLabels()) {
      return false;
    }
    double after = p.pseudoWeight() + (alreadyCounted ? 0 : settings.pseudoWeight());
    return after <= settings.pseudoMaxRatio() * p.labelledCount() + 1e-9;
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

  private void emitDelta(ImageState.Contribution c, int sign, ImageState s) {
    PrototypeDelta delta = new PrototypeDelta(c.className(), c.pseudo(), sign * c.weight(), s.embedding(),
        s.modelId(), s.modelVersion(), context.currentStreamTimeMs());
    context.forward(new Record<>(c.className(), (Object) delta, Math.max(0, context.currentStreamTimeMs())),
        LearnerTopology.DELTAS_SINK);
  }

  /** A fixed-size ring per task; the slot counter lives in the store too, so a restart continues the ring. */
  private void remember(String id, Anomaly anomaly) {
    RecentAnomalies counter = recent.get(RecentAnomalies.NEXT_SLOT_KEY);
    long next = counter == null ? 0 : Long.parseLong(counter.imageId());
    recent.put(next % RecentAnomalies.CAPACITY, new RecentAnomalies(id, anomaly));
    recent.put(RecentAnomalies.NEXT_SLOT_KEY, new RecentAnomalies(Long.toString(next + 1), null));
  }

  private static Prediction withVersion(Prediction p, long version) {
    return new Prediction(p.className(), p.confidence(), p.margin(), p.status(), version, p.modelId(),
        p.modelVersion(), p.eventTime(), p.anomalyScore());
  }

  /** Relabel the backlog when prototypes moved; every few rounds also expire orphans and old backlog. */
  void punctuate(long wallClock) {
    punctuations++;
    prototypes.refreshIfStale(true);
    Map<String, double[]> snapshot = prototypes.snapshot();
    boolean moved = moved(snapshot);
    observer.prototypes(prototypes.all(), maxDrift(snapshot));
    observer.backlog(context.taskId().partition(), images.approximateNumEntries());
    boolean fullScan = punctuations % FULL_SCAN_EVERY == 0;
    if (!moved && !fullScan) {
      return;
    }
    long streamTime = context.currentStreamTimeMs();
    List<KeyValue<String, ImageState>> all = new ArrayList<>();
    try (KeyValueIterator<String, ImageState> it = images.all()) {
      it.forEachRemaining(all::add);
    }
    for (KeyValue<String, ImageState> kv : all) {
      ImageState s = kv.value;
      if (!s.hasEmbedding()) {
        if (s.pendingLabel() != null && streamTime - s.pendingLabel().arrivedAt() > settings.labelWaitMs()) {
          orphan(kv.key, s.pendingLabel());
          images.delete(kv.key);
        }
        continue;
      }
      if (s.trueLabel() == null && streamTime - s.firstSeen() > settings.backlogRetentionMs()) {
        applyContribution(s, null);
        images.delete(kv.key);
        continue;
      }
      if (moved && s.trueLabel() == null) {
        update(kv.key, s, false, Math.max(0, s.eventTime()));
      }
    }
    if (moved) {
      lastRelabelSnapshot = snapshot;
    }
  }

  /** Largest relative movement of a prototype since the last relabel round (0 when none). */
  private double maxDrift(Map<String, double[]> now) {
    double max = 0;
    for (var e : now.entrySet()) {
      double[] then = lastRelabelSnapshot.get(e.getKey());
      if (then == null) {
        continue;
      }
      double diff = 0;
      double norm = 0;
      for (int i = 0; i < then.length; i++) {
        diff += (e.getValue()[i] - then[i]) * (e.getValue()[i] - then[i]);
        norm += then[i] * then[i];
      }
      max = Math.max(max, Math.sqrt(diff) / Math.max(1e-12, Math.sqrt(norm)));
    }
    return max;
  }

  private boolean moved(Map<String, double[]> now) {
    if (!now.keySet().equals(lastRelabelSnapshot.keySet())) {
      return !now.isEmpty();
    }
    for (var e : now.entrySet()) {
      double[] then = lastRelabelSnapshot.get(e.getKey());
      double diff = 0;
      double norm = 0;
      for (int i = 0; i < then.length; i++) {
        diff += (e.getValue()[i] - then[i]) * (e.getValue()[i] - then[i]);
        norm += then[i] * then[i];
      }
      if (Math.sqrt(diff) > settings.relabelMinDrift() * Math.max(1e-12, Math.sqrt(norm))) {
        return true;
      }
    }
    return false;
  }

  private void orphan(String id, ImageState.PendingLabel label) {
    byte[] value = labels.encode(new LabelRecord(label.className(), label.annotator(), label.time()));
    ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>(labelsTopic, -1, -1L,
        label.time(), TimestampType.CREATE_TIME, 0, value.length, id.getBytes(StandardCharsets.UTF_8), value,
        new RecordHeaders(), java.util.Optional.empty());
    forwardDeadLetter(source, RejectReason.ORPHAN_LABEL, "no embedding arrived for image " + id + " within "
        + "learner.label.wait.ms=" + settings.labelWaitMs());
  }

  private void deadLetter(Record<String, byte[]> record, RejectReason reason, String error) {
    RecordMetadata m = context.recordMetadata().orElse(null);
    byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
    ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>(m == null ? "" : m.topic(),
        m == null ? -1 : m.partition(), m == null ? -1L : m.offset(), record.timestamp(), TimestampType.CREATE_TIME,
        0, 0, key, record.value(), record.headers(), java.util.Optional.empty());
    forwardDeadLetter(source, reason, error);
  }

  private void forwardDeadLetter(ConsumerRecord<byte[], byte[]> source, RejectReason reason, String error) {
    observer.deadLettered(reason.code());
    var dl = DeadLetters.of(deadLetterTopic, source, reason, error, STAGE, System.currentTimeMillis());
    // The dead-letter sink writes String keys as UTF-8: the same bytes as the original key.
    String key = dl.key() == null ? null : new String(dl.key(), StandardCharsets.UTF_8);
    context.forward(new Record<>(key, (Object) dl.value(), Math.max(0, source.timestamp()), dl.headers()),
        LearnerTopology.DEAD_LETTER_SINK);
  }
}
