package io.semistream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.semistream.asking.AskingObserver;
import io.semistream.records.LabelRequest;
import io.semistream.records.RejectReason;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The active-learning service's meters: requests open and the pool's size (gauges), requests published by reason,
 * answered and expired (counters), the time from a request to its answer (a timer with percentiles), records
 * dead-lettered by reason and skipped by input (bounded tags).
 */
public final class AskingMetrics implements MeterBinder, AskingObserver {
  private final AtomicLong open = new AtomicLong();
  private final AtomicLong pool = new AtomicLong();
  private final Map<LabelRequest.Reason, Counter> requested = new EnumMap<>(LabelRequest.Reason.class);
  private final Map<String, Counter> skipped = new ConcurrentHashMap<>();
  private final Map<RejectReason, Counter> rejected = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;
  private Counter answered;
  private Counter expired;
  private Timer answerTime;

  @Override
  public void bindTo(MeterRegistry r) {
    registry = r;
    Gauge.builder("semistream.asking.requests.open", open, AtomicLong::get)
        .description("Label requests published and neither answered nor expired").register(r);
    Gauge.builder("semistream.asking.pool", pool, AtomicLong::get)
        .description("Recent unlabelled images the service chooses requests from").register(r);
    for (LabelRequest.Reason reason : LabelRequest.Reason.values()) {
      requested.put(reason, Counter.builder("semistream.asking.requests").tag("reason", reason.code())
          .description("Label requests published, by reason").register(r));
    }
    answered = Counter.builder("semistream.asking.requests.answered")
        .description("Label requests a label answered").register(r);
    expired = Counter.builder("semistream.asking.requests.expired")
        .description("Label requests withdrawn unanswered after asking.request.ttl.ms").register(r);
    answerTime = Timer.builder("semistream.asking.answer.time").publishPercentiles(0.5, 0.9)
        .description("From a label request to its answer").register(r);
  }

  @Override
  public void requested(LabelRequest.Reason reason) {
    Counter c = requested.get(reason);
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public void answered(long millis) {
    if (answered != null) {
      answered.increment();
      answerTime.record(Duration.ofMillis(millis));
    }
  }

  @Override
  public void expired() {
    if (expired != null) {
      expired.increment();
    }
  }

  @Override
  public void round(int openNow, int poolNow, long published) {
    open.set(openNow);
    pool.set(poolNow);
  }

  @Override
  public void rejected(RejectReason reason) {
    MeterRegistry r = registry;
    if (r != null) {
      rejected.computeIfAbsent(reason, x -> Counter.builder("semistream.asking.rejected").tag("reason", x.code())
          .description("Records written straight to the service's internal topics and dead-lettered, by reason")
          .register(r)).increment();
    }
  }

  @Override
  public void skipped(String input) {
    MeterRegistry r = registry;
    if (r != null) {
      skipped.computeIfAbsent(input, i -> Counter.builder("semistream.asking.records.skipped").tag("input", i)
          .description("Records the asking service could not use and skipped, by input topic").register(r))
          .increment();
    }
  }

  @Override
  public void storeEntryUnreadable(String store) {
    if (registry != null) {
      StoreMeters.unreadable(registry, store);
    }
  }
}
