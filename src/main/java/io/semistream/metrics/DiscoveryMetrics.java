package io.semistream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.semistream.discovery.DiscoveryObserver;
import io.semistream.records.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The discovery service's meters: candidates published and adopted (gauges), candidates emerged, withdrawn and
 * adopted (counters), anomalies clustered and micro-clusters held, anomalies dead-lettered by reason, and records
 * skipped by input (a bounded tag: anomalies, prototypes, labels).
 */
public final class DiscoveryMetrics implements MeterBinder, DiscoveryObserver {
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong adopted = new AtomicLong();
  private final AtomicLong microClusters = new AtomicLong();
  private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
  private final Map<String, Counter> skipped = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;
  private Counter emerged;
  private Counter withdrawn;
  private Counter adoptions;
  private Counter clustered;

  @Override
  public void bindTo(MeterRegistry r) {
    registry = r;
    Gauge.builder("semistream.discovery.candidates", published, AtomicLong::get).tag("state", "published")
        .description("Class candidates on class-candidates: published (adopted included) and adopted").register(r);
    Gauge.builder("semistream.discovery.candidates", adopted, AtomicLong::get).tag("state", "adopted").register(r);
    Gauge.builder("semistream.discovery.micro.clusters", microClusters, AtomicLong::get)
        .description("Micro-clusters held (bounded by discovery.micro.clusters)").register(r);
    emerged = Counter.builder("semistream.discovery.candidates.emerged")
        .description("Clusters that became class candidates").register(r);
    withdrawn = Counter.builder("semistream.discovery.candidates.withdrawn")
        .description("Candidates withdrawn: faded, or their encoder version was replaced").register(r);
    adoptions = Counter.builder("semistream.discovery.candidates.adopted")
        .description("Candidates named by a label on one of their exemplars").register(r);
    clustered = Counter.builder("semistream.discovery.anomalies.clustered")
        .description("Anomalies the discovery service clustered").register(r);
    for (RejectReason reason : new RejectReason[] {RejectReason.MALFORMED_ANOMALY, RejectReason.MISSING_KEY,
        RejectReason.INVALID_KEY}) {
      rejected.put(reason, Counter.builder("semistream.discovery.rejected").tag("reason", reason.code())
          .description("Anomaly records sent to the dead letters, by reason").register(r));
    }
  }

  @Override
  public void rejected(RejectReason reason) {
    Counter c = rejected.get(reason);
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public void skipped(String input) {
    MeterRegistry r = registry;
    if (r != null) {
      skipped.computeIfAbsent(input, i -> Counter.builder("semistream.discovery.records.skipped").tag("input", i)
          .description("Records the discovery service could not use and skipped, by input topic").register(r))
          .increment();
    }
  }

  @Override
  public void storeEntryUnreadable(String store) {
    if (registry != null) {
      StoreMeters.unreadable(registry, store);
    }
  }

  @Override
  public void clustered(int held) {
    microClusters.set(held);
    if (clustered != null) {
      clustered.increment();
    }
  }

  @Override
  public void candidateEmerged() {
    if (emerged != null) {
      emerged.increment();
    }
  }

  @Override
  public void candidateWithdrawn() {
    if (withdrawn != null) {
      withdrawn.increment();
    }
  }

  @Override
  public void candidateAdopted() {
    if (adoptions != null) {
      adoptions.increment();
    }
  }

  @Override
  public void candidates(int publishedNow, int adoptedNow) {
    published.set(publishedNow);
    adopted.set(adoptedNow);
  }
}
