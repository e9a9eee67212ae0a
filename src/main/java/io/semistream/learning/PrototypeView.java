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
  private Map<Integer, List<Prototype>> byModelVersion = Map.of();
  private long lastRefresh = Long.MIN_VALUE;
  /** Indexes of {@link #forModel} lists, built on first use after a refresh: (model version, blended) -> index. */
  private final Map<Long, PrototypeIndex> indexes = new HashMap<>();

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
    Map<Integer, List<Prototype>> versions = new HashMap<>();
    cachedList.forEach(p -> versions.computeIfAbsent(p.modelVersion(), v -> new java.util.ArrayList<>()).add(p));
    byModelVersion = versions.size() == 1 ? Map.of(cachedList.get(0).modelVersion(), cachedList) : versions;
    indexes.clear();
    lastRefresh = now;
  }

  /** {@link #forModel}'s prototypes as an index for {@code classifier}; null when there are none to compare with. */
  PrototypeIndex index(int modelVersion, boolean blended, PrototypeClassifier classifier) {
    long key = ((long) modelVersion << 1) | (blended ? 1 : 0);
    PrototypeIndex index = indexes.get(key);
    if (index == null && !indexes.containsKey(key)) {
      index = classifier.index(forModel(modelVersion), blended);
      indexes.put(key, index);
    }
    return index;
  }

  /** Immutable, rebuilt only on refresh: the per-record path does not copy. */
  List<Prototype> all() {
    return cachedList;
  }

  /**
   * The prototypes an embedding of encoder version {@code modelVersion} can be compared with: all of them when
   * every class has a prototype of that version, else none. Embeddings of two encoder versions live in
   * different spaces; while a new version's prototypes are still being built (the backlog is re-embedded),
   * images are neither compared across versions nor against a partial set of classes.
   */
  List<Prototype> forModel(int modelVersion) {
    List<Prototype> list = byModelVersion.get(modelVersion);
    return list != null && list.size() == cached.size() ? list : List.of();
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
