package io.semistream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.semistream.learning.LearnerObserver;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.records.RejectReason;
import io.semistream.topics.TopicId;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The learner's meters. Class names become tag values only for the first {@code maxClassTags} classes seen; any
 * further class is counted under {@code class="other"} (at most maxClassTags + 1 series), so an open class set
 * cannot explode the series count.
 */
public final class LearnerMetrics implements MeterBinder, LearnerObserver {
  public static final String OTHER = "other";
  private final int maxClassTags;
  private MeterRegistry registry;
  private Counter labels;
  private Counter earlyCommits;
  /** By input (embeddings, labels) and path (home, rekeyed): four series. */
  private final Map<String, Counter> placed = new ConcurrentHashMap<>();
  private final Map<Prediction.Status, Counter> predictions = new EnumMap<>(Prediction.Status.class);
  private Counter corrections;
  /** The reasons the learner can dead-letter for: a bounded tag set, registered up front so they read 0. */
  static final java.util.List<RejectReason> LEARNER_REASONS = java.util.List.of(RejectReason.MISSING_KEY,
      RejectReason.INVALID_KEY, RejectReason.MALFORMED_LABEL, RejectReason.MALFORMED_EMBEDDING,
      RejectReason.ORPHAN_LABEL, RejectReason.MALFORMED_DELTA);
  private final Map<RejectReason, Counter> deadLetters = new java.util.EnumMap<>(RejectReason.class);
  /** The compacted topics the learner reads into global stores: a bounded set of tag values. */
  static final java.util.List<TopicId> GLOBAL_TOPICS = java.util.List.of(TopicId.PROTOTYPES, TopicId.EXEMPLARS,
      TopicId.ZERO_SHOT_PROTOTYPES, TopicId.CLASS_CANDIDATES);
  private final Map<TopicId, Counter> globalRecordsSkipped = new EnumMap<>(TopicId.class);
  private DistributionSummary confidence;
  private Counter anomalies;
  private Counter scoredInNoveltyView;
  private Counter scoredInServingView;
  private DistributionSummary anomalyScore;
  private Timer latency;
  private final AtomicLong thresholdBits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
  private final AtomicLong blendedAccuracyBits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
  private final AtomicLong labelsOnlyAccuracyBits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
  private final AtomicLong gateOpen = new AtomicLong();
  private final AtomicLong driftBits = new AtomicLong(Double.doubleToLongBits(0));
  private final Map<Integer, Long> backlogByPartition = new ConcurrentHashMap<>();
  private final Map<String, DoubleAdder> classCounts = new ConcurrentHashMap<>();
  private final java.util.Set<String> taggedClasses = ConcurrentHashMap.newKeySet();

  public LearnerMetrics(int maxClassTags) {
    this.maxClassTags = maxClassTags;
  }

  @Override
  public void bindTo(MeterRegistry r) {
    registry = r;
    labels = Counter.builder("semistream.learner.labels.in").description("Valid labels received").register(r);
    earlyCommits = Counter.builder("semistream.learner.commits.early").description("Commits a learner task asked "
        + "for before learner.commit.interval.ms, the machine's CPUs being idle enough (Kafka Streams' own "
        + "commit-total counts every commit)").register(r);
    for (String input : java.util.List.of("embeddings", "labels")) {
      for (String path : java.util.List.of("home", "rekeyed")) {
        placed.put(input + "/" + path, Counter.builder("semistream.learner.inputs").tag("input", input)
            .tag("path", path).description("Records that arrived on their home partition, or took the re-keying "
                + "hop through the learner's internal topic (another client's partitioner, another partition count)")
            .register(r));
      }
    }
    for (Prediction.Status s : Prediction.Status.values()) {
      predictions.put(s, Counter.builder("semistream.learner.predictions")
          .tag("status", s.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
          .description("Predictions emitted, by status (pseudo: the pseudo-label rate)").register(r));
    }
    for (RejectReason reason : LEARNER_REASONS) {
      deadLetters.put(reason, Counter.builder("semistream.learner.deadlettered").tag("reason", reason.code())
          .description("Labels, embeddings and deltas sent to the dead-letter topic by the learner").register(r));
    }
    for (TopicId topic : GLOBAL_TOPICS) {
      globalRecordsSkipped.put(topic, Counter.builder("semistream.learner.global.records.skipped")
          .tag("topic", topic.catalogueId())
          .description("Records on a topic the learner reads into a global store (prototypes, exemplars, ...) that "
              + "it could not use (bad JSON, another dimension, non-finite values)").register(r));
    }
    corrections = Counter.builder("semistream.learner.relabels")
        .description("Predictions emitted again with another class or status (backlog re-labelling, late labels)")
        .register(r);
    confidence = DistributionSummary.builder("semistream.learner.prediction.confidence")
        .description("Confidence of unlabelled predictions").serviceLevelObjectives(0.5, 0.6, 0.7, 0.8, 0.9, 0.95,
            0.99).register(r);
    anomalies = Counter.builder("semistream.learner.anomalies").description("Images flagged as anomalous")
        .register(r);
    anomalyScore = DistributionSummary.builder("semistream.learner.anomaly.score")
        .description("Anomaly scores (distance to the nearest true-label mean in the novelty view, or to the "
            + "nearest prototype)").publishPercentileHistogram().register(r);
    // Which space each score was taken in: serving-view scores under learner.anomaly.view=novelty mean the view is
    // missing (no novelty version in the model store, or no class with a novelty mean yet).
    scoredInNoveltyView = Counter.builder("semistream.learner.anomaly.scored").tag("view", "novelty")
        .description("Anomaly scores by the space they were taken in").register(r);
    scoredInServingView = Counter.builder("semistream.learner.anomaly.scored").tag("view", "serving")
        .description("Anomaly scores by the space they were taken in").register(r);
    Gauge.builder("semistream.learner.anomaly.threshold", () -> Double.longBitsToDouble(thresholdBits.get()))
        .description("Current adaptive anomaly threshold").register(r);
    Gauge.builder("semistream.learner.prototype.drift", () -> Double.longBitsToDouble(driftBits.get()))
        .description("Largest relative prototype movement at the last relabel check").register(r);
    Gauge.builder("semistream.learner.backlog.size", () -> backlogByPartition.values().stream()
        .mapToLong(Long::longValue).sum()).description("Images held by the learner (labelled and backlog)")
        .register(r);
    Gauge.builder("semistream.learner.label.accuracy", () -> Double.longBitsToDouble(blendedAccuracyBits.get()))
        .tag("prototypes", "blended").description("Accuracy on arriving true labels, tested before they join "
            + "(prequential, decayed)").register(r);
    Gauge.builder("semistream.learner.label.accuracy", () -> Double.longBitsToDouble(labelsOnlyAccuracyBits.get()))
        .tag("prototypes", "labels-only").description("Accuracy on arriving true labels, tested before they join "
            + "(prequential, decayed)").register(r);
    Gauge.builder("semistream.learner.selftraining.enabled", gateOpen, AtomicLong::get)
        .description("1 while predictions use the blended (pseudo-labelled) prototypes").register(r);
    latency = Timer.builder("semistream.pipeline.latency")
        .description("Image event time to its prediction being emitted").publishPercentileHistogram()
        .register(r);
  }

  @Override
  public void labelReceived() {
    if (labels != null) {
      labels.increment();
    }
  }

  @Override
  public void earlyCommitRequested() {
    if (earlyCommits != null) {
      earlyCommits.increment();
    }
  }

  @Override
  public void inputPlaced(String input, boolean home) {
    Counter c = placed.get(input + "/" + (home ? "home" : "rekeyed"));
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public void deadLettered(RejectReason reason) {
    Counter c = deadLetters.get(reason);
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public void storeEntryUnreadable(String store) {
    if (registry != null) {
      StoreMeters.unreadable(registry, store);
    }
  }

  @Override
  public void globalRecordSkipped(TopicId topic) {
    Counter c = globalRecordsSkipped.get(topic);
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public void predictionEmitted(Prediction p, long latencyMs, boolean correction) {
    if (registry == null) {
      return;
    }
    predictions.get(p.status()).increment();
    if (correction) {
      corrections.increment();
    } else {
      latency.record(Math.max(0, latencyMs), TimeUnit.MILLISECONDS);
    }
    if (p.status() != Prediction.Status.LABELLED) {
      confidence.record(p.confidence());
    }
  }

  @Override
  public void anomalyScored(double score, double threshold, boolean flagged, boolean noveltyView) {
    if (registry == null) {
      return;
    }
    (noveltyView ? scoredInNoveltyView : scoredInServingView).increment();
    anomalyScore.record(score);
    if (Double.isFinite(threshold)) {
      thresholdBits.set(Double.doubleToLongBits(threshold));
    }
    if (flagged) {
      anomalies.increment();
    }
  }

  @Override
  public void labelAccuracy(double blended, double labelsOnly, boolean open) {
    blendedAccuracyBits.set(Double.doubleToLongBits(blended));
    labelsOnlyAccuracyBits.set(Double.doubleToLongBits(labelsOnly));
    gateOpen.set(open ? 1 : 0);
  }

  @Override
  public void backlog(int partition, long size) {
    backlogByPartition.put(partition, size);
  }

  @Override
  public void prototypes(Collection<Prototype> prototypes, double maxDrift) {
    driftBits.set(Double.doubleToLongBits(maxDrift));
    if (registry == null) {
      return;
    }
    Map<String, Double> next = new ConcurrentHashMap<>();
    for (Prototype p : prototypes) {
      String cls = p.className();
      if (!taggedClasses.contains(cls) && taggedClasses.size() < maxClassTags) {
        taggedClasses.add(cls);
      }
      next.merge(taggedClasses.contains(cls) ? cls : OTHER, p.count(), Double::sum);
    }
    next.forEach((tag, count) -> classCounts.computeIfAbsent(tag, t -> {
      DoubleAdder adder = new DoubleAdder();
      Gauge.builder("semistream.learner.prototype.weight", adder, DoubleAdder::sum).tag("class", t)
          .description("Weight of a class prototype (true labels + pseudo weight)").register(registry);
      return adder;
    }));
    classCounts.forEach((tag, adder) -> {
      adder.reset();
      adder.add(next.getOrDefault(tag, 0.0));
    });
  }
}
