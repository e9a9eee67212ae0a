package io.semistream.learning;

import io.semistream.records.Anomaly;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A fixed-size ring of a task's latest anomalies (behind GET /anomalies). The slot counter lives in the store
 * too, so a restart continues the ring where it was.
 */
final class AnomalyRing {
  private final KeyValueStore<Long, RecentAnomalies> store;

  AnomalyRing(KeyValueStore<Long, RecentAnomalies> store) {
    this.store = store;
  }

  void remember(String imageId, Anomaly anomaly) {
    RecentAnomalies counter = store.get(RecentAnomalies.NEXT_SLOT_KEY);
    long next = nextSlot(counter);
    store.put(next % RecentAnomalies.CAPACITY, new RecentAnomalies(imageId, anomaly));
    store.put(RecentAnomalies.NEXT_SLOT_KEY, new RecentAnomalies(Long.toString(next + 1), null));
  }

  /** The slot counter; absent or unreadable (junk in the changelog) starts the ring again at 0. */
  private static long nextSlot(RecentAnomalies counter) {
    try {
      return counter == null || counter.imageId() == null ? 0 : Math.max(0, Long.parseLong(counter.imageId()));
    } catch (NumberFormatException junk) {
      return 0;
    }
  }
}
