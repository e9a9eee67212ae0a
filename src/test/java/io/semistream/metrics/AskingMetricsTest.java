package io.semistream.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.semistream.records.LabelRequest;
import io.semistream.records.RejectReason;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AskingMetricsTest {
  @Test
  void shouldCountRequestsByReasonAnswersExpiriesAndShowTheLastRound() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AskingMetrics metrics = new AskingMetrics();
    metrics.bindTo(registry);
    metrics.requested(LabelRequest.Reason.TYPICAL);
    metrics.requested(LabelRequest.Reason.TYPICAL);
    metrics.requested(LabelRequest.Reason.COLD_START);
    metrics.answered(2_000);
    metrics.expired();
    metrics.round(3, 1_500, 7);
    metrics.rejected(RejectReason.MALFORMED_EMBEDDING);
    metrics.skipped("labels");
    assertEquals(2.0, registry.get("semistream.asking.requests").tag("reason", "typical").counter().count());
    assertEquals(1.0, registry.get("semistream.asking.requests").tag("reason", "cold-start").counter().count());
    assertEquals(0.0, registry.get("semistream.asking.requests").tag("reason", "uncertain").counter().count(),
        "every reason is registered up front, so dashboards have a series before the first request");
    assertEquals(1.0, registry.get("semistream.asking.requests.answered").counter().count());
    assertEquals(2.0, registry.get("semistream.asking.answer.time").timer().totalTime(TimeUnit.SECONDS));
    assertEquals(1.0, registry.get("semistream.asking.requests.expired").counter().count());
    assertEquals(3.0, registry.get("semistream.asking.requests.open").gauge().value());
    assertEquals(1_500.0, registry.get("semistream.asking.pool").gauge().value());
    assertEquals(1.0, registry.get("semistream.asking.rejected").tag("reason", "malformed-embedding").counter()
        .count());
    assertEquals(1.0, registry.get("semistream.asking.records.skipped").tag("input", "labels").counter().count());
  }
}
