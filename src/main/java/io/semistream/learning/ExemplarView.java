package io.semistream.learning;

import io.semistream.records.Exemplar;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A task's cached view of the global exemplar table, one {@link ExemplarSet} per encoder version. Rebuilt when the
 * number of exemplars changed (a new true label), and otherwise every {@code refreshMs} (a replaced exemplar, a
 * newer version's embedding of a labelled image, keeps the count); either way no sooner than a hundred times its
 * own last cost after the previous rebuild, so that re-reading a large table, or a burst of labels each changing
 * the count, never takes more than about 1 % of the stream thread. A table of up to {@link #PACED_ABOVE}
 * exemplars (a rebuild of a few milliseconds) is rebuilt at once on a new label.
 */
final class ExemplarView {
  static final int PACED_ABOVE = 1_000;
  private final ReadOnlyKeyValueStore<String, Exemplar> store;
  private final int maxPerClass;
  private final long refreshMs;
  private Map<Integer, ExemplarSet> byVersion = Map.of();
  private long entries = -1;
  /** 0, not Long.MIN_VALUE: {@code now - lastRefresh} must not overflow. */
  private long lastRefresh;
  private long lastCostMs;

  ExemplarView(ReadOnlyKeyValueStore<String, Exemplar> store, int maxPerClass, long refreshMs) {
    this.store = store;
    this.maxPerClass = maxPerClass;
    this.refreshMs = refreshMs;
  }

  void refreshIfStale(boolean force) {
    long now = System.currentTimeMillis();
    long count = store.approximateNumEntries();
    long pace = count > PACED_ABOVE ? 100 * lastCostMs : 0;
    long wait = Math.max(count != entries ? 0 : refreshMs, pace);
    if (!force && now - lastRefresh < wait) {
      return;
    }
    Map<Integer, List<Exemplar>> versions = new HashMap<>();
    try (KeyValueIterator<String, Exemplar> it = store.all()) {
      it.forEachRemaining(kv -> {
        if (kv.value != null) {
          versions.computeIfAbsent(kv.value.modelVersion(), v -> new ArrayList<>()).add(kv.value);
        }
      });
    }
    Map<Integer, ExemplarSet> next = new HashMap<>();
    versions.forEach((version, list) -> {
      ExemplarSet set = ExemplarSet.of(list, maxPerClass);
      if (set != null) {
        next.put(version, set);
      }
    });
    byVersion = next;
    entries = count;
    lastCostMs = System.currentTimeMillis() - now;
    lastRefresh = System.currentTimeMillis();
  }

  /** The exemplars of encoder version {@code modelVersion}; null when there are none. */
  ExemplarSet forVersion(int modelVersion) {
    return byVersion.get(modelVersion);
  }
}
