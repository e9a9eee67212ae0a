package io.semistream.metrics;

import io.semistream.records.RejectReason;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.topics.TopicId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsBindersTest {

  private static Prototype prototype(String cls, double count) {
    return new Prototype(cls, new double[] {1, 2}, count, 0.1, 1, 0, "m", 1, (long) count, 0, new double[] {1, 2});
  }

  private static Prediction prediction(Prediction.Status status, double confidence, long version) {
    return new Prediction("a", confidence, 0.5, status, version, "m", 1, 0, null);
  }

  @Test
  void shouldCountPredictionsByStatusAndRecordConfidenceAndLatency() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LearnerMetrics m = new LearnerMetrics(50);
    m.bindTo(registry);
    m.labelReceived();
    m.earlyCommitRequested();
    m.earlyCommitRequested();
    m.predictionEmitted(prediction(Prediction.Status.PSEUDO, 0.95, 1), 120, false);
    m.predictionEmitted(prediction(Prediction.Status.UNCERTAIN, 0.4, 1), 80, false);
    m.predictionEmitted(prediction(Prediction.Status.UNCERTAIN, 0.6, 2), 5_000, true);
    m.predictionEmitted(prediction(Prediction.Status.LABELLED, 1.0, 3), 10, true);
    m.predictionEmitted(prediction(Prediction.Status.ZERO_SHOT, 0.7, 1), 90, false);
    assertEquals(1, registry.get("semistream.learner.labels.in").counter().count());
    assertEquals(2, registry.get("semistream.learner.commits.early").counter().count());
    assertEquals(1, registry.get("semistream.learner.predictions").tag("status", "pseudo").counter().count());
    assertEquals(2, registry.get("semistream.learner.predictions").tag("status", "uncertain").counter().count());
    assertEquals(1, registry.get("semistream.learner.predictions").tag("status", "labelled").counter().count());
    assertEquals(1, registry.get("semistream.learner.predictions").tag("status", "zero-shot").counter().count(),
        "the tag value is the status as the prediction record spells it");
    assertEquals(2, registry.get("semistream.learner.relabels").counter().count());
    assertEquals(4, registry.get("semistream.learner.prediction.confidence").summary().count(),
        "labelled predictions carry no confidence information");
    assertEquals(3, registry.get("semistream.pipeline.latency").timer().count(), "corrections are not latency");
    assertEquals(120, registry.get("semistream.pipeline.latency").timer().max(java.util.concurrent.TimeUnit.MILLISECONDS));
  }

  @Test
  void shouldCountInputsByWhetherTheyTookTheRekeyingHopInFourSeries() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LearnerMetrics m = new LearnerMetrics(50);
    m.bindTo(registry);
    m.inputPlaced("embeddings", true);
    m.inputPlaced("embeddings", true);
    m.inputPlaced("labels", false);
    assertEquals(2, registry.get("semistream.learner.inputs").tags("input", "embeddings", "path", "home").counter()
        .count());
    assertEquals(0, registry.get("semistream.learner.inputs").tags("input", "embeddings", "path", "rekeyed")
        .counter().count());
    assertEquals(1, registry.get("semistream.learner.inputs").tags("input", "labels", "path", "rekeyed").counter()
        .count());
    assertEquals(4, registry.get("semistream.learner.inputs").counters().size());
  }

  @Test
  void shouldCapClassTagsAndCountTheRestAsOther() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LearnerMetrics m = new LearnerMetrics(3);
    m.bindTo(registry);
    List<Prototype> protos = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      protos.add(prototype("c" + i, i + 1));
    }
    m.prototypes(protos, 0.25);
    long tagged = registry.find("semistream.learner.prototype.weight").gauges().size();
    assertEquals(4, tagged, "the first 3 classes and 'other'");
    double total = registry.find("semistream.learner.prototype.weight").gauges().stream()
        .mapToDouble(g -> g.value()).sum();
    assertEquals(21, total, 1e-9, "no count is lost: 1+2+...+6");
    assertNotNull(registry.find("semistream.learner.prototype.weight").tag("class", LearnerMetrics.OTHER).gauge());
    assertEquals(0.25, registry.get("semistream.learner.prototype.drift").gauge().value());
  }

  @Test
  void shouldTrackAnomalyScoresThresholdAndBacklog() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LearnerMetrics m = new LearnerMetrics(50);
    m.bindTo(registry);
    assertTrue(Double.isNaN(registry.get("semistream.learner.anomaly.threshold").gauge().value()));
    m.anomalyScored(3.0, Double.POSITIVE_INFINITY, false, true);
    m.anomalyScored(9.0, 5.0, true, false);
    m.deadLettered(RejectReason.MALFORMED_LABEL);
    m.deadLettered(RejectReason.MALFORMED_LABEL);
    m.deadLettered(RejectReason.UNDECODABLE_IMAGE);   // not a learner reason: no tag of its own
    assertEquals(2, registry.get("semistream.learner.deadlettered").tag("reason", "malformed-label").counter()
        .count());
    assertEquals(0, registry.get("semistream.learner.deadlettered").tag("reason", "orphan-label").counter().count());
    m.backlog(0, 100);
    m.backlog(1, 50);
    m.backlog(0, 120);
    assertEquals(2, registry.get("semistream.learner.anomaly.score").summary().count());
    assertEquals(1, registry.get("semistream.learner.anomalies").counter().count());
    assertEquals(1, registry.get("semistream.learner.anomaly.scored").tag("view", "novelty").counter().count());
    assertEquals(1, registry.get("semistream.learner.anomaly.scored").tag("view", "serving").counter().count());
    assertEquals(5.0, registry.get("semistream.learner.anomaly.threshold").gauge().value());
    assertEquals(170, registry.get("semistream.learner.backlog.size").gauge().value());
  }

  @Test
  void shouldCountSkippedGlobalRecordsByTopicWithOneSeriesPerGlobalTopic() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LearnerMetrics m = new LearnerMetrics(50);
    m.bindTo(registry);
    m.globalRecordSkipped(TopicId.EXEMPLARS);
    m.globalRecordSkipped(TopicId.EXEMPLARS);
    m.globalRecordSkipped(TopicId.PROTOTYPES);
    m.globalRecordSkipped(TopicId.IMAGES);   // not read into a global store: no series of its own
    assertEquals(2, registry.get("semistream.learner.global.records.skipped").tag("topic", "exemplars").counter()
        .count());
    assertEquals(1, registry.get("semistream.learner.global.records.skipped").tag("topic", "prototypes").counter()
        .count());
    assertEquals(0, registry.get("semistream.learner.global.records.skipped").tag("topic", "class-candidates")
        .counter().count());
    assertEquals(4, registry.find("semistream.learner.global.records.skipped").counters().size(),
        "bounded tags: the four topics the learner reads into global stores");
  }

  @Test
  void shouldExposeRssAndJvmMetricsInPrometheusFormat() {
    var registry = Observability.prometheusRegistry("test");
    String scrape = registry.scrape();
    assertTrue(scrape.contains("process_memory_rss_bytes{application=\"test\"}"), scrape.substring(0, 300));
    assertTrue(scrape.contains("jvm_memory_used_bytes"));
    assertTrue(NativeMemoryMetrics.rssBytes() > 10_000_000, "a JVM uses more than 10 MB");
    assertNull(registry.find("semistream.learner.anomalies").counter());
  }

  @Test
  void shouldExportTheLearnersStreamsStateAsAStateSet() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    java.util.concurrent.atomic.AtomicReference<org.apache.kafka.streams.KafkaStreams.State> state =
        new java.util.concurrent.atomic.AtomicReference<>(org.apache.kafka.streams.KafkaStreams.State.REBALANCING);
    new StreamsStateMetrics(state::get).bindTo(registry);
    assertEquals(org.apache.kafka.streams.KafkaStreams.State.values().length,
        registry.find("semistream.learner.state").gauges().size());
    assertEquals(1, registry.get("semistream.learner.state").tag("state", "rebalancing").gauge().value());
    assertEquals(0, registry.get("semistream.learner.state").tag("state", "running").gauge().value());
    state.set(org.apache.kafka.streams.KafkaStreams.State.ERROR);
    assertEquals(1, registry.get("semistream.learner.state").tag("state", "error").gauge().value());
    assertEquals(0, registry.get("semistream.learner.state").tag("state", "rebalancing").gauge().value());
  }

  @Test
  void shouldGaugeZeroShotClassesAndCountRejectedSemantics() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ZeroShotMetrics m = new ZeroShotMetrics();
    m.bindTo(registry);
    m.classes(10, 8, 2);
    m.rejected(RejectReason.MALFORMED_SEMANTICS);
    m.rejected(RejectReason.MALFORMED_SEMANTICS);
    m.rejected(RejectReason.MISSING_KEY);
    m.rejected(RejectReason.EMPTY_IMAGE);
    m.prototypeSkipped();
    assertEquals(10, registry.get("semistream.zeroshot.classes").tag("kind", "semantics").gauge().value());
    assertEquals(8, registry.get("semistream.zeroshot.classes").tag("kind", "seen").gauge().value());
    assertEquals(2, registry.get("semistream.zeroshot.classes").tag("kind", "synthesized").gauge().value());
    assertEquals(2, registry.get("semistream.zeroshot.rejected").tag("reason", "malformed-semantics").counter()
        .count());
    assertEquals(1, registry.get("semistream.zeroshot.rejected").tag("reason", "missing-key").counter().count());
    assertEquals(3, registry.find("semistream.zeroshot.rejected").counters().size(),
        "bounded tags: only the reasons the service can give");
    assertEquals(1, registry.get("semistream.zeroshot.prototypes.skipped").counter().count());
  }
}
