package io.semistream.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
}
