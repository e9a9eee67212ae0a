package io.semistream.discovery;

import io.semistream.vectors.Vectors;
import io.semistream.config.DiscoverySettings;
import io.semistream.kafka.Origins;
import io.semistream.records.Anomaly;
import io.semistream.records.ClassCandidate;
import io.semistream.records.DeadLetters;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.Prototype;
import io.semistream.records.RejectReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clusters every anomaly (one task sees them all: its three inputs are repartitioned into one partition), keeps
 * the labelled classes' spread per encoder version as the distance scale, and publishes the candidates' changes.
 * A label on a candidate's exemplar names it. Anomalies of a newer encoder version start the clustering afresh
 * (distances between versions mean nothing) and withdraw the old version's unnamed candidates.
 */
final class DiscoveryProcessor implements Processor<String, byte[], String, Object> {
  static final String STAGE = "discovery";
  /** Clusters are recomputed after this many anomalies (and whenever one starts a micro-cluster). */
  static final int RECLUSTER_EVERY = 10;
  private static final String STATE_KEY = "state";
  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryProcessor.class);

  private final DiscoverySettings settings;
  private final int dimension;
  private final JsonSerde<Anomaly> anomalySerde;
  private final JsonSerde<Prototype> prototypeSerde;
  private final JsonSerde<LabelRecord> labelSerde;
  private final DiscoveryObserver observer;
  private final CandidateTracker tracker;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<Long, MicroCluster> microStore;
  private KeyValueStore<String, ClassCandidate> candidates;
  private KeyValueStore<String, ClassScale> scales;
  private KeyValueStore<String, DiscoveryState> stateStore;
  private StreamClusterer clusterer;

  DiscoveryProcessor(DiscoverySettings settings, int dimension, JsonSerde<Anomaly> anomalySerde,
      JsonSerde<Prototype> prototypeSerde, JsonSerde<LabelRecord> labelSerde, DiscoveryObserver observer) {
    this.settings = settings;
    this.dimension = dimension;
    this.anomalySerde = anomalySerde;
    this.prototypeSerde = prototypeSerde;
    this.labelSerde = labelSerde;
    this.observer = observer;
    this.tracker = new CandidateTracker(settings);
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    microStore = context.getStateStore(DiscoveryTopology.MICRO_CLUSTERS_STORE);
    candidates = context.getStateStore(DiscoveryTopology.CANDIDATES_STORE);
    scales = context.getStateStore(DiscoveryTopology.SCALES_STORE);
    stateStore = context.getStateStore(DiscoveryTopology.STATE_STORE);
    // A task revived after an aborted transaction keeps this instance but gets its stores restored: the
    // clustering is read from them again.
    clusterer = null;
  }

  /** Built on first use, from the changelogged store (a restart resumes the same clustering). */
  private StreamClusterer clusterer() {
    if (clusterer == null) {
      List<MicroCluster> restored = new ArrayList<>();
      List<Long> unreadable = new ArrayList<>();
      try (KeyValueIterator<Long, MicroCluster> it = microStore.all()) {
        it.forEachRemaining(kv -> {
          if (kv.value != null && kv.value.sum().length == dimension) {
            restored.add(kv.value);
          } else if (kv.key != null) {
            unreadable.add(kv.key);
          }
        });
      }
      unreadable.forEach(microStore::delete);
      restored.sort(java.util.Comparator.comparingLong(MicroCluster::id));
      clusterer = new StreamClusterer(settings, restored);
    }
    return clusterer;
  }

  private DiscoveryState state() {
    DiscoveryState s = stateStore.get(STATE_KEY);
    return s == null ? DiscoveryState.EMPTY : s;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    String input = topic.endsWith("-" + DiscoveryTopology.ANOMALIES + "-repartition") ? DiscoveryTopology.ANOMALIES
        : topic.endsWith("-" + DiscoveryTopology.PROTOTYPES + "-repartition") ? DiscoveryTopology.PROTOTYPES
        : DiscoveryTopology.LABELS;
    if (record.key() == null) {
      // The gates before the repartition refuse these; a record written straight to the internal topic (any
      // client can) meets the same rule here instead of a NullPointerException that would stop the service.
      if (input.equals(DiscoveryTopology.ANOMALIES)) {
        deadLetter(record, RejectReason.MISSING_KEY, "record has no image id (key)");
      } else {
        skip(input, "<none>", "record has no key");
      }
      return;
    }
    switch (input) {
      case DiscoveryTopology.ANOMALIES -> onAnomaly(record);
      case DiscoveryTopology.PROTOTYPES -> onPrototype(record);
      default -> onLabel(record);
    }
  }

  private void onAnomaly(Record<String, byte[]> record) {
    if (record.value() == null) {
      skip(DiscoveryTopology.ANOMALIES, record.key(), "tombstone");
      return;
    }
    Anomaly a;
    try {
      a = anomalySerde.decode(record.value());
    } catch (SerializationException | IllegalArgumentException e) {
      deadLetter(record, RejectReason.MALFORMED_ANOMALY, e.getMessage());
      return;
    }
    float[] v = a.embedding();
    if (v == null) {
      skip(DiscoveryTopology.ANOMALIES, record.key(), "no embedding (written before anomalies carried one)");
      return;
    }
    String problem = v.length != dimension ? "embedding of " + v.length + " values, expected " + dimension
        : !finite(v) ? "embedding holds NaN or infinity" : a.modelVersion() == null || a.modelVersion() < 1
        ? "embedding without its encoder version" : null;
    if (problem != null) {
      deadLetter(record, RejectReason.MALFORMED_ANOMALY, problem);
      return;
    }
    DiscoveryState s = state();
    if (a.modelVersion() < s.modelVersion()) {
      skip(DiscoveryTopology.ANOMALIES, record.key(), "from encoder v" + a.modelVersion() + ", clustering v"
          + s.modelVersion());
      return;
    }
    long now = Math.max(0, context.currentStreamTimeMs());
    if (a.modelVersion() > s.modelVersion()) {
      s = startVersion(s, a.modelId(), a.modelVersion(), now);
    }
    double scale = scale(a.modelVersion());
    if (!(scale > 0)) {
      skip(DiscoveryTopology.ANOMALIES, record.key(), "no labelled class spread known yet");
      return;
    }
    StreamClusterer.Change change = clusterer().absorb(Vectors.unit(v), s.tick(), scale, s.nextMicroCluster(),
        record.key(), Math.max(0, a.eventTime()));
    boolean started = change.written().count() == 1;
    if (change.evicted() != null) {
      microStore.delete(change.evicted());
    }
    microStore.put(change.written().id(), change.written());
    s = s.afterAnomaly(started);
    observer.clustered(clusterer().size());
    if (started || s.tick() % RECLUSTER_EVERY == 0) {
      s = recluster(s, scale, now);
    }
    stateStore.put(STATE_KEY, s);
  }

  private DiscoveryState startVersion(DiscoveryState s, String modelId, int version, long now) {
    if (s.modelVersion() > 0) {
      LOG.info("discovery: anomalies of encoder v{} arrived; clustering starts afresh in its space", version);
    }
    clusterer().clear();
    List<Long> ids = new ArrayList<>();
    try (KeyValueIterator<Long, MicroCluster> it = microStore.all()) {
      it.forEachRemaining(kv -> ids.add(kv.key));
    }
    ids.forEach(microStore::delete);
    for (ClassCandidate c : publishedCandidates().values()) {
      if (c.adoptedAs() == null) {
        withdraw(c.id(), now);
      }
    }
    DiscoveryState next = s.forVersion(modelId, version);
    stateStore.put(STATE_KEY, next);
    return next;
  }

  private DiscoveryState recluster(DiscoveryState s, double scale, long now) {
    Map<String, ClassCandidate> existing = new HashMap<>();
    publishedCandidates().forEach((id, c) -> {
      if (c.modelVersion() == s.modelVersion()) {
        existing.put(id, c);
      }
    });
    long[] next = {s.nextCandidate()};
    CandidateTracker.Outcome outcome = tracker.track(clusterer().clusters(s.tick(), scale), existing, scale,
        s.modelId(), s.modelVersion(), now, () -> next[0]++);
    for (ClassCandidate c : outcome.publish()) {
      if (!existing.containsKey(c.id())) {
        observer.candidateEmerged();
        LOG.info("discovery: {} emerged ({} anomalies, spread {}, exemplars {})", c.id(), c.size(),
            String.format("%.3f", c.spread()), c.exemplars());
      }
      candidates.put(c.id(), c);
      context.forward(new Record<>(c.id(), (Object) c, now), DiscoveryTopology.CANDIDATES_SINK);
    }
    outcome.withdraw().forEach(id -> withdraw(id, now));
    reportCandidates();
    return s.withCandidateIdsUsedUpTo(next[0]);
  }

  private void withdraw(String id, long now) {
    candidates.delete(id);
    observer.candidateWithdrawn();
    context.forward(new Record<>(id, null, now), DiscoveryTopology.CANDIDATES_SINK);
  }

  /** The candidates as published; an unreadable entry (junk from a changelog) is withdrawn, which cleans it. */
  private Map<String, ClassCandidate> publishedCandidates() {
    Map<String, ClassCandidate> out = new HashMap<>();
    List<String> unreadable = new ArrayList<>();
    try (KeyValueIterator<String, ClassCandidate> it = candidates.all()) {
      it.forEachRemaining(kv -> {
        if (kv.value != null) {
          out.put(kv.key, kv.value);
        } else if (kv.key != null) {
          unreadable.add(kv.key);
        }
      });
    }
    unreadable.forEach(id -> withdraw(id, Math.max(0, context.currentStreamTimeMs())));
    return out;
  }

  private void reportCandidates() {
    Map<String, ClassCandidate> all = publishedCandidates();
    observer.candidates(all.size(), (int) all.values().stream().filter(c -> c.adoptedAs() != null).count());
  }

  /** The median spread ratio of the labelled classes in {@code version}; of any version while it has none. */
  private double scale(int version) {
    List<Double> same = new ArrayList<>();
    List<Double> any = new ArrayList<>();
    try (KeyValueIterator<String, ClassScale> it = scales.all()) {
      it.forEachRemaining(kv -> {
        if (kv.value != null) {
          any.add(kv.value.ratio());
          if (kv.value.modelVersion() == version) {
            same.add(kv.value.ratio());
          }
        }
      });
    }
    return median(same.isEmpty() ? any : same);
  }

  private static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private void onPrototype(Record<String, byte[]> record) {
    String key = record.key();
    if (record.value() == null) {
      scales.delete(key);
      return;
    }
    Prototype p;
    try {
      p = prototypeSerde.decode(record.value());
    } catch (SerializationException | IllegalArgumentException e) {
      skip(DiscoveryTopology.PROTOTYPES, key, "not a prototype: " + e.getMessage());
      return;
    }
    double norm = Vectors.norm(p.vectorView());
    if (!key.equals(p.className()) || p.vectorView().length != dimension || !(norm > 0)
        || !Double.isFinite(p.spread())) {
      skip(DiscoveryTopology.PROTOTYPES, key, "key and class differ, or the vector is not of dimension "
          + dimension + " and finite");
      return;
    }
    if (p.labelledCount() < 1 || !(p.spread() > 0)) {
      // A class known only from pseudo-labels or from one label has no spread of its own to lend the scale.
      scales.delete(key);
      return;
    }
    scales.put(key, new ClassScale(p.modelVersion(), p.spread() / norm));
  }

  private void onLabel(Record<String, byte[]> record) {
    if (record.value() == null) {
      return;
    }
    LabelRecord label;
    try {
      label = labelSerde.decode(record.value());
    } catch (SerializationException | IllegalArgumentException e) {
      // The learner dead-letters it with the reason; here it simply names nothing.
      skip(DiscoveryTopology.LABELS, record.key(), "not a label: " + e.getMessage());
      return;
    }
    long now = Math.max(0, context.currentStreamTimeMs());
    ClassCandidate named = candidateOf(record.key());
    if (named == null) {
      return;
    }
    ClassCandidate adopted = named.adopted(label.className(), now);
    candidates.put(named.id(), adopted);
    observer.candidateAdopted();
    LOG.info("discovery: {} named '{}' by a label on its member {}", named.id(), label.className(), record.key());
    context.forward(new Record<>(named.id(), (Object) adopted, now), DiscoveryTopology.CANDIDATES_SINK);
    reportCandidates();
  }

  /**
   * The unnamed candidate {@code imageId} belongs to: one that shows it as an exemplar, else the one the cluster
   * holding it (as an exemplar or recent member of one of its micro-clusters) keeps alive, as the tracker matches
   * them (nearest within the link distance); null if none.
   */
  private ClassCandidate candidateOf(String imageId) {
    Map<String, ClassCandidate> open = new HashMap<>();
    publishedCandidates().forEach((id, c) -> {
      if (c.adoptedAs() == null) {
        open.put(id, c);
      }
    });
    for (ClassCandidate c : open.values()) {
      if (c.exemplars().contains(imageId)) {
        return c;
      }
    }
    DiscoveryState s = state();
    double scale = scale(s.modelVersion());
    StreamClusterer.Cluster cluster = scale > 0 ? clusterer().clusterHolding(imageId, s.tick(), scale) : null;
    if (cluster == null) {
      return null;
    }
    ClassCandidate best = null;
    double bestDistance = settings.link() * scale;
    for (ClassCandidate c : open.values()) {
      double d = Vectors.distance(cluster.centroid(), c.centroid());
      if (c.modelVersion() == s.modelVersion() && d <= bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  private static boolean finite(float[] v) {
    for (float x : v) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  private void deadLetter(Record<String, byte[]> record, RejectReason reason, String error) {
    observer.rejected(reason);
    var headers = DeadLetters.headers(record.headers(), Origins.of(context.recordMetadata()),
        reason, error, STAGE, System.currentTimeMillis());
    context.forward(new Record<>(record.key(), (Object) record.value(), Math.max(0, record.timestamp()), headers),
        DiscoveryTopology.DEAD_LETTER_SINK);
  }

  private void skip(String input, String key, String why) {
    observer.skipped(input);
    LOG.debug("{}: the discovery service skipped the record '{}': {}", input, key, why);
  }
}
