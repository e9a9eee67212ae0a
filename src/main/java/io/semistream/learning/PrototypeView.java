package io.semistream.learning;

import io.semistream.records.Prototype;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A task's cached view of the global prototype table. Re-reading (and decoding) every prototype for every
 * record would dominate the learner's cost, so the view refreshes at most every {@code refreshMs} (0: always).
 */
final class PrototypeView {
  private final ReadOnlyKeyValueStore<String, Prototype> store;
  private final long refreshMs;
  private Map<String, Prototype> cached = Map.of();
  private List<Prototype> cachedList = List.of();
  private long lastRefresh = Long.MIN_VALUE;

  PrototypeView(ReadOnlyKeyValueStore<String, Prototype> store, long refreshMs) {
    this.store = store;
    this.refreshMs = refreshMs;
  }

  void refreshIfStale(boolean force) {
    long now = System.currentTimeMillis();
    if (!force && refreshMs > 0 && now - lastRefresh < refreshMs) {
      return;
    }
    Map<String, Prototype> next = new HashMap<>();
    try (KeyValueIterator<String, Prototype> it = store.all()) {
      it.forEachRemaining(kv -> {
        if (kv.value != null) {
          next.put(kv.key, kv.value);
        }
      });
    }
    cached = next;
    cachedList = List.copyOf(next.values());
    lastRefresh = now;
  }

  /** Immutable, rebuilt only on refresh: the per-record path does not copy. */
  List<Prototype> all() {
    return cachedList;
  }

  Prototype get(String className) {
    return cached.get(className);
  }

  Map<String, double[]> snapshot() {
    Map<String, double[]> out = new HashMap<>();
    cached.forEach((k, v) -> out.put(k, v.vectorView()));
    return out;
  }
}
