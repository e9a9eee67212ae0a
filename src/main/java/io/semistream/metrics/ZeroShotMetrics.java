package io.semistream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.semistream.records.RejectReason;
import io.semistream.zeroshot.ZeroShotObserver;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The zero-shot service's meters: classes by kind (with a semantic vector, seen classes anchoring the map,
 * synthesized), rejected semantic vectors by reason, skipped prototype records. Zero-shot predictions are counted
 * by the learner ({@code semistream.learner.predictions{status="zero-shot"}}).
 */
public final class ZeroShotMetrics implements MeterBinder, ZeroShotObserver {
  private final AtomicLong withSemantics = new AtomicLong();
  private final AtomicLong seen = new AtomicLong();
  private final AtomicLong synthesized = new AtomicLong();
  private volatile MeterRegistry registry;
  private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
  private Counter skipped;

  @Override
  public void bindTo(MeterRegistry r) {
    registry = r;
    Gauge.builder("semistream.zeroshot.classes", withSemantics, AtomicLong::get).tag("kind", "semantics")
        .description("Classes by kind: with a semantic vector, seen (anchoring the map), synthesized (zero-shot)")
        .register(r);
    Gauge.builder("semistream.zeroshot.classes", seen, AtomicLong::get).tag("kind", "seen").register(r);
    Gauge.builder("semistream.zeroshot.classes", synthesized, AtomicLong::get).tag("kind", "synthesized")
        .register(r);
    for (RejectReason reason : new RejectReason[] {RejectReason.MALFORMED_SEMANTICS, RejectReason.MISSING_KEY,
        RejectReason.INVALID_KEY}) {
      rejected.put(reason, Counter.builder("semistream.zeroshot.rejected").tag("reason", reason.code())
          .description("Semantic vectors sent to the dead letters, by reason").register(r));
    }
    skipped = Counter.builder("semistream.zeroshot.prototypes.skipped")
        .description("Records on prototypes the zero-shot service could not use").register(r);
  }

  @Override
  public void rejected(RejectReason reason) {
    Counter c = rejected.get(reason);
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
  public void prototypeSkipped() {
    if (skipped != null) {
      skipped.increment();
    }
  }

  @Override
  public void classes(int withSemantics, int seen, int synthesized) {
    this.withSemantics.set(withSemantics);
    this.seen.set(seen);
    this.synthesized.set(synthesized);
  }
}
