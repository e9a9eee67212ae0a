package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.semistream.records.RejectReason;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EmbeddingMetricsTest {
  @Test
  void shouldExportImagesEmbeddedDeadLettersByReasonAndBatchHistograms() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EmbeddingStats stats = new EmbeddingStats();
    stats.bindTo(registry);
    stats.recordDeadLetter(RejectReason.UNDECODABLE_IMAGE);
    stats.recordDeadLetter(RejectReason.UNDECODABLE_IMAGE);
    stats.recordDeadLetter(RejectReason.OVERSIZED_IMAGE);
    stats.recordBatch(34, 31, TimeUnit.MILLISECONDS.toNanos(12));
    stats.recordBatch(8, 8, TimeUnit.MILLISECONDS.toNanos(4));
    assertEquals(42, registry.get("semistream.embedding.images.in").functionCounter().count());
    assertEquals(39, registry.get("semistream.embedding.images.embedded").functionCounter().count());
    assertEquals(2, registry.get("semistream.embedding.images.deadlettered").tag("reason", "undecodable-image")
        .functionCounter().count());
    assertEquals(1, registry.get("semistream.embedding.images.deadlettered").tag("reason", "oversized-image")
        .functionCounter().count());
    assertEquals(0, registry.get("semistream.embedding.images.deadlettered").tag("reason", "empty-image")
        .functionCounter().count());
    assertEquals(2, registry.get("semistream.embedding.batch.size").summary().count());
    assertEquals(39, registry.get("semistream.embedding.batch.size").summary().totalAmount());
    assertEquals(16, registry.get("semistream.embedding.batch.latency").timer().totalTime(TimeUnit.MILLISECONDS),
        1e-6);
  }

  @Test
  void shouldExportWhereTheTimeGoesByStageAndTheQueueTimeBeforeThePoll() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EmbeddingStats stats = new EmbeddingStats();
    stats.bindTo(registry);
    stats.recordStage(EmbeddingStats.Stage.DECODE, TimeUnit.MILLISECONDS.toNanos(3));
    stats.recordStage(EmbeddingStats.Stage.DECODE, TimeUnit.MILLISECONDS.toNanos(2));
    stats.recordStage(EmbeddingStats.Stage.COMMIT, TimeUnit.MILLISECONDS.toNanos(7));
    stats.recordQueue(40);
    stats.recordQueue(20);
    stats.recordQueue(-5);   // a producer clock ahead of ours: not a queue time
    assertEquals(5, registry.get("semistream.embedding.stage").tag("stage", "decode").timer()
        .totalTime(TimeUnit.MILLISECONDS), 1e-6);
    assertEquals(2, registry.get("semistream.embedding.stage").tag("stage", "decode").timer().count());
    assertEquals(7, registry.get("semistream.embedding.stage").tag("stage", "commit").timer()
        .totalTime(TimeUnit.MILLISECONDS), 1e-6);
    assertEquals(0, registry.get("semistream.embedding.stage").tag("stage", "forward").timer().count());
    assertEquals(5, registry.get("semistream.embedding.stage").timers().size(), "one timer per stage, no more");
    assertEquals(2, registry.get("semistream.embedding.queue").timer().count());
    assertEquals(30, stats.meanQueueMillis(), 1e-9);
    assertEquals(TimeUnit.MILLISECONDS.toNanos(5), stats.stageNanos(EmbeddingStats.Stage.DECODE));
  }

  @Test
  void shouldExportAnExactOneSecondBucketForTheSlowBatchAlert() {
    // monitoring/alerts/semistream.yml counts the batches above le="1.0"; without that exact bucket the alert
    // would match no series and never fire.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EmbeddingStats stats = new EmbeddingStats();
    stats.bindTo(registry);
    stats.recordBatch(64, 64, TimeUnit.MILLISECONDS.toNanos(40));
    stats.recordBatch(64, 64, TimeUnit.MILLISECONDS.toNanos(1_500));
    String scrape = registry.scrape();
    assertTrue(scrape.contains("semistream_embedding_batch_latency_seconds_bucket{le=\"1.0\"} 1"), scrape.lines()
        .filter(l -> l.startsWith("semistream_embedding_batch_latency_seconds_bucket")).toList().toString());
    assertTrue(scrape.contains("semistream_embedding_batch_latency_seconds_count 2"));
  }
}
