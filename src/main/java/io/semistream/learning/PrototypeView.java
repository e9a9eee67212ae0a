package io.semistream.learning;

import io.semistream.records.ClassCandidate;
import io.semistream.records.Prototype;
import io.semistream.records.SynthesizedPrototype;
import java.util.ArrayList;
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
  private final ReadOnlyKeyValueStore<String, SynthesizedPrototype> synthesizedStore;
  private final ReadOnlyKeyValueStore<String, ClassCandidate> candidateStore;
  private final long refreshMs;
  private final int seedUntilLabels;
  /** Synthesized prototypes of classes without a real one, as prototypes (no labels, no pseudo weight). */
  private List<Prototype> zeroShot = List.of();
  private final Map<Integer, PrototypeIndex> zeroShotIndexes = new HashMap<>();
  /**
   * Counts the refreshes that changed what other services contribute: synthesized prototypes, or seeds from
   * named class candidates.
   */
  private long externalChanges;
  /** The classes seeded by a named candidate, with the candidate record that seeds each. */
  private Map<String, ClassCandidate> seeds = Map.of();
  private Map<String, Prototype> cached = Map.of();
  private List<Prototype> cachedList = List.of();
  private Map<Integer, List<Prototype>> byModelVersion = Map.of();
  /** 0, not Long.MIN_VALUE: {@code now - lastRefresh} must not overflow, or the first refresh waits to be forced. */
  private long lastRefresh;
  /** Indexes of {@link #forModel} lists, built on first use after a refresh: (model version, blended) -> index. */
  private final Map<Long, PrototypeIndex> indexes = new HashMap<>();
  /** (model version, novelty version) -> the true labels' novelty means of that model's prototypes. */
  private final Map<Long, PrototypeIndex> noveltyIndexes = new HashMap<>();

  /**
   * @param candidateStore class candidates; one named after a class seeds it (see {@link #seeded}); null: none
   * @param seedUntilLabels a named candidate seeds its class until the class has this many true labels
   */
  PrototypeView(ReadOnlyKeyValueStore<String, Prototype> store,
      ReadOnlyKeyValueStore<String, SynthesizedPrototype> synthesizedStore,
      ReadOnlyKeyValueStore<String, ClassCandidate> candidateStore, long refreshMs, int seedUntilLabels) {
    this.store = store;
    this.synthesizedStore = synthesizedStore;
    this.candidateStore = candidateStore;
    this.refreshMs = refreshMs;
    this.seedUntilLabels = seedUntilLabels;
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
    Map<String, ClassCandidate> seeding = new HashMap<>();
    if (candidateStore != null) {
      try (KeyValueIterator<String, ClassCandidate> it = candidateStore.all()) {
        it.forEachRemaining(kv -> {
          ClassCandidate c = kv.value;
          Prototype real = c == null || c.adoptedAs() == null ? null : next.get(c.adoptedAs());
          if (real != null && real.modelVersion() == c.modelVersion() && real.labelledCount() < seedUntilLabels) {
            next.put(real.className(), seeded(real, c));
            seeding.put(real.className(), c);
          }
        });
      }
    }
    if (!seeding.equals(seeds)) {
      externalChanges++;
    }
    seeds = seeding;
    cached = next;
    cachedList = List.copyOf(next.values());
    Map<Integer, List<Prototype>> versions = new HashMap<>();
    cachedList.forEach(p -> versions.computeIfAbsent(p.modelVersion(), v -> new java.util.ArrayList<>()).add(p));
    byModelVersion = versions.size() == 1 ? Map.of(cachedList.get(0).modelVersion(), cachedList) : versions;
    indexes.clear();
    noveltyIndexes.clear();
    List<Prototype> synthesized = new ArrayList<>();
    if (synthesizedStore != null) {
      try (KeyValueIterator<String, SynthesizedPrototype> it = synthesizedStore.all()) {
        it.forEachRemaining(kv -> {
          // A class with a real prototype is no longer zero-shot, even before the service withdraws this one.
          if (kv.value != null && !next.containsKey(kv.key)) {
            SynthesizedPrototype z = kv.value;
            synthesized.add(new Prototype(z.className(), z.vectorView(), 0, z.spread(), 1, z.updateTime(),
                z.modelId(), z.modelVersion(), 0, 0, null));
          }
        });
      }
    }
    if (!zeroShot.equals(synthesized)) {
      externalChanges++;
    }
    zeroShot = List.copyOf(synthesized);
    zeroShotIndexes.clear();
    lastRefresh = now;
  }

  /**
   * A class a person named by labelling one image of a candidate, while it has fewer true labels than the
   * self-training gate asks for: its prototype is the cluster's centroid (hundreds of anomalies) rather than the
   * one or two labelled images, at the labelled mean's length (the centroid is a direction). Only this view
   * changes; the published prototype stays the exact mean of the true labels.
   */
  private static Prototype seeded(Prototype real, ClassCandidate c) {
    double[] v = real.vectorView();
    double norm = 0;
    for (double x : v) {
      norm += x * x;
    }
    double[] centroid = c.centroid();
    double length = Math.sqrt(norm);
    for (int i = 0; i < centroid.length; i++) {
      centroid[i] *= length;
    }
    return new Prototype(real.className(), centroid, real.count(), real.spread(), real.version(), real.updateTime(),
        real.modelId(), real.modelVersion(), real.labelledCount(), real.pseudoWeight(), centroid,
        real.noveltyVersion(), real.noveltyVectorView());
  }

  /**
   * The classes known only by their semantic vector, for embeddings of encoder version {@code modelVersion}:
   * null when there are none (for that version: a synthesized prototype lives in one encoder's space).
   */
  PrototypeIndex zeroShotIndex(int modelVersion, PrototypeClassifier classifier) {
    if (zeroShot.isEmpty()) {
      return null;
    }
    // "None for this version" is cached too (computeIfAbsent would not keep a null): this runs per record.
    if (!zeroShotIndexes.containsKey(modelVersion)) {
      List<Prototype> matching = zeroShot.stream().filter(p -> p.modelVersion() == modelVersion).toList();
      zeroShotIndexes.put(modelVersion, matching.isEmpty() ? null : classifier.index(matching, true));
    }
    return zeroShotIndexes.get(modelVersion);
  }

  /**
   * Changes with every refresh that brought other synthesized prototypes or seeds (none of this learner's
   * making).
   */
  long externalChanges() {
    return externalChanges;
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

  /**
   * The novelty means of {@link #forModel}'s prototypes in the view of version {@code noveltyVersion}; null when
   * fewer than two classes have one (one class gives no reference for what is far).
   */
  PrototypeIndex noveltyIndex(int modelVersion, int noveltyVersion, PrototypeClassifier classifier, boolean scaled) {
    long key = ((long) modelVersion << 32) | noveltyVersion;
    if (!noveltyIndexes.containsKey(key)) {
      PrototypeIndex index = PrototypeIndex.ofNovelty(forModel(modelVersion), noveltyVersion, classifier.metric(),
          scaled);
      noveltyIndexes.put(key, index == null || index.size() < 2 ? null : index);
    }
    return noveltyIndexes.get(key);
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

  /** Every vector by class, synthesized ones included (under a key no class name can have), for drift checks. */
  Map<String, double[]> snapshot() {
    Map<String, double[]> out = new HashMap<>();
    cached.forEach((k, v) -> out.put(k, v.vectorView()));
    zeroShot.forEach(p -> out.put("\u0000zero-shot:" + p.className(), p.vectorView()));
    return out;
  }
}
