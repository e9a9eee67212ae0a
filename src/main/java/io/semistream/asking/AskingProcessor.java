package io.semistream.asking;

import io.semistream.config.AskingSettings;
import io.semistream.kafka.Origins;
import io.semistream.records.DeadLetters;
import io.semistream.records.EmbeddingRecord;
import io.semistream.records.EmbeddingSerde;
import io.semistream.records.JsonSerde;
import io.semistream.records.LabelRecord;
import io.semistream.records.LabelRequest;
import io.semistream.records.Prototype;
import io.semistream.records.RejectReason;
import io.semistream.vectors.Vectors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a pool of recent unlabelled images (in memory: it refills from the stream within seconds after a
 * restart), the labelled classes' prototypes and every published request (both changelogged), and every
 * {@code asking.interval.ms} of wall-clock time publishes the requests the budget allows, chosen by {@link
 * RequestChooser}. A label for a requested image answers the request; an unanswered one is withdrawn when it
 * expires, and, like an answered one, kept (bounded) so that no later request repeats its image or comes near it.
 */
final class AskingProcessor implements Processor<String, byte[], String, Object> {
  static final String STAGE = "asking";
  /** Answered and withdrawn requests kept for diversity; the oldest beyond this are forgotten. */
  static final int MAX_CLOSED = 10_000;
  /** Recently labelled ids kept so that an image labelled before its embedding arrived stays out of the pool. */
  static final int LABELLED_MEMORY = 10_000;
  /** Neighbours an image's density is measured over. */
  static final int DENSITY_NEIGHBOURS = 20;
  private static final String STATE_KEY = "state";
  private static final Logger LOG = LoggerFactory.getLogger(AskingProcessor.class);

  private final AskingSettings settings;
  private final int dimension;
  private final JsonSerde<Prototype> prototypeSerde;
  private final JsonSerde<LabelRecord> labelSerde;
  private final AskingObserver observer;
  private final RequestChooser chooser;
  private final Map<String, PoolImage> pool;
  private final Map<String, Boolean> labelled;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Asked> askedStore;
  private KeyValueStore<String, ClassView> classStore;
  private KeyValueStore<String, AskingState> stateStore;
  private Map<String, Asked> asked;
  private Map<String, ClassView> classes;

  AskingProcessor(AskingSettings settings, int dimension, JsonSerde<Prototype> prototypeSerde,
      JsonSerde<LabelRecord> labelSerde, AskingObserver observer) {
    this.settings = settings;
    this.dimension = dimension;
    this.prototypeSerde = prototypeSerde;
    this.labelSerde = labelSerde;
    this.observer = observer;
    this.chooser = new RequestChooser(settings);
    int poolSize = settings.pool();
    this.pool = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, PoolImage> eldest) {
        return size() > poolSize;
      }
    };
    this.labelled = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > LABELLED_MEMORY;
      }
    };
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    askedStore = context.getStateStore(AskingTopology.ASKED_STORE);
    classStore = context.getStateStore(AskingTopology.CLASSES_STORE);
    stateStore = context.getStateStore(AskingTopology.STATE_STORE);
    // A task revived after an aborted transaction keeps this instance but gets its stores restored: the caches
    // read from them are read again.
    asked = null;
    classes = null;
    context.schedule(Duration.ofMillis(settings.intervalMs()), PunctuationType.WALL_CLOCK_TIME, this::round);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    String input = topic.endsWith("-" + AskingTopology.EMBEDDINGS + "-repartition") ? AskingTopology.EMBEDDINGS
        : topic.endsWith("-" + AskingTopology.PROTOTYPES + "-repartition") ? AskingTopology.PROTOTYPES
        : AskingTopology.LABELS;
    if (record.key() == null) {
      unusable(record, input, RejectReason.MISSING_KEY, "record has no key");
      return;
    }
    switch (input) {
      case AskingTopology.EMBEDDINGS -> onEmbedding(record);
      case AskingTopology.PROTOTYPES -> onPrototype(record);
      default -> onLabel(record);
    }
  }

  private void onEmbedding(Record<String, byte[]> record) {
    if (record.value() == null) {
      unusable(record, AskingTopology.EMBEDDINGS, RejectReason.MALFORMED_EMBEDDING, "tombstone");
      return;
    }
    EmbeddingRecord e;
    try {
      e = EmbeddingSerde.decode(record.value());
    } catch (SerializationException | IllegalArgumentException ex) {
      unusable(record, AskingTopology.EMBEDDINGS, RejectReason.MALFORMED_EMBEDDING, ex.getMessage());
      return;
    }
    if (e.dimension() != dimension) {
      unusable(record, AskingTopology.EMBEDDINGS, RejectReason.MALFORMED_EMBEDDING,
          "embedding of " + e.dimension() + " values, expected " + dimension);
      return;
    }
    String id = record.key();
    Asked a = asked().get(id);
    if (a != null && e.modelVersion() > a.version()) {
      // A requested image re-embedded by a newer encoder (the backfill after a promotion): later requests keep
      // their distance from it in the space they are chosen in.
      put(a.reembedded(Vectors.unit(e.vector()), e.modelVersion()));
    }
    if (labelled.containsKey(id) || a != null) {
      return;
    }
    pool.remove(id);   // re-inserted: a re-embedded image (new encoder version) is recent again
    double[] unit = Vectors.unit(e.vector());
    pool.put(id, new PoolImage(id, unit, e.modelId(), e.modelVersion(), density(unit, e.modelVersion())));
  }

  private void onPrototype(Record<String, byte[]> record) {
    String key = record.key();
    if (record.value() == null) {
      classStore.delete(key);
      classes().remove(key);
      return;
    }
    Prototype p;
    try {
      p = prototypeSerde.decode(record.value());
    } catch (SerializationException | IllegalArgumentException e) {
      unusable(record, AskingTopology.PROTOTYPES, RejectReason.MALFORMED_PROTOTYPE, e.getMessage());
      return;
    }
    double norm = Vectors.norm(p.vectorView());
    if (!key.equals(p.className()) || p.vectorView().length != dimension || !(norm > 0) || !Double.isFinite(norm)
        || !Double.isFinite(p.spread())) {
      unusable(record, AskingTopology.PROTOTYPES, RejectReason.MALFORMED_PROTOTYPE,
          "key and class differ, or the vector is not of dimension " + dimension + " and finite");
      return;
    }
    ClassView view = new ClassView(key, Vectors.unit(p.vectorView()), p.labelledCount(), p.modelVersion(),
        p.spread() / norm);
    classStore.put(key, view);
    classes().put(key, view);
  }

  private void onLabel(Record<String, byte[]> record) {
    if (record.value() == null) {
      return;   // a tombstone on labels withdraws nothing here
    }
    LabelRecord label;
    try {
      label = labelSerde.decode(record.value());
    } catch (SerializationException | IllegalArgumentException e) {
      unusable(record, AskingTopology.LABELS, RejectReason.MALFORMED_LABEL, e.getMessage());
      return;
    }
    String id = record.key();
    labelled.put(id, Boolean.TRUE);
    pool.remove(id);
    Asked a = asked().get(id);
    if (a == null || !a.waiting()) {
      return;   // a late label for a withdrawn request answers nothing: the request is off the topic already
    }
    long now = context.currentSystemTimeMs();
    Asked answered = a.answered(label.className(), now);
    put(answered);
    observer.answered(Math.max(0, now - a.request().requestTime()));
    context.forward(new Record<>(id, (Object) answered.request(), now), AskingTopology.REQUESTS_SINK);
  }

  /**
   * How typical an image is where it arrives: the mean cosine similarity to its {@link #DENSITY_NEIGHBOURS}
   * nearest images of the same encoder version in the pool (computed once: one pass over the pool per image).
   */
  private double density(double[] unit, int modelVersion) {
    double[] best = new double[DENSITY_NEIGHBOURS];
    java.util.Arrays.fill(best, Double.NEGATIVE_INFINITY);
    int seen = 0;
    for (PoolImage p : pool.values()) {
      if (p.modelVersion() != modelVersion) {
        continue;
      }
      double s = Vectors.dot(unit, p.unit());
      seen++;
      // best[0] is the smallest of the kept: replace it and restore that.
      if (s > best[0]) {
        best[0] = s;
        int min = 0;
        for (int i = 1; i < best.length; i++) {
          if (best[i] < best[min]) {
            min = i;
          }
        }
        double t = best[0];
        best[0] = best[min];
        best[min] = t;
      }
    }
    int k = Math.min(seen, DENSITY_NEIGHBOURS);
    if (k == 0) {
      return 0;
    }
    double sum = 0;
    for (double b : best) {
      if (b > Double.NEGATIVE_INFINITY) {
        sum += b;
      }
    }
    return sum / k;
  }

  /** One round: expire, refill the budget, publish what it allows. */
  void round(long now) {
    expire(now);
    forgetOldClosed();
    AskingState s = state();
    double perRound = settings.perMinute() * settings.intervalMs() / 60_000.0;
    double cap = Math.max(1, perRound);
    double tokens = s.refilledAt() < 0 ? cap
        : Math.min(cap, s.tokens() + settings.perMinute() * Math.max(0, now - s.refilledAt()) / 60_000.0);
    long open = asked().values().stream().filter(Asked::waiting).count();
    long n = Math.min((long) Math.floor(tokens), settings.maxOutstanding() - open);
    if (settings.total() > 0) {
      n = Math.min(n, settings.total() - s.published());
    }
    List<LabelRequest> chosen = chooser.choose((int) Math.max(0, n), pool.values(), classes().values(),
        asked().values(), now);
    for (LabelRequest r : chosen) {
      put(new Asked(r, pool.remove(r.imageId()).unit()));
      observer.requested(r.reason());
      context.forward(new Record<>(r.imageId(), (Object) r, now), AskingTopology.REQUESTS_SINK);
    }
    AskingState next = new AskingState(tokens - chosen.size(), s.published() + chosen.size(), now);
    stateStore.put(STATE_KEY, next);
    observer.round((int) open + chosen.size(), pool.size(), next.published());
  }

  private void expire(long now) {
    List<String> expired = new ArrayList<>();
    asked().forEach((id, a) -> {
      if (a.waiting() && now - a.request().requestTime() > settings.ttlMs()) {
        expired.add(id);
      }
    });
    for (String id : expired) {
      put(asked.get(id).withdrawn(now));
      observer.expired();
      context.forward(new Record<>(id, null, now), AskingTopology.REQUESTS_SINK);
    }
  }

  private void forgetOldClosed() {
    long count = asked().values().stream().filter(a -> !a.waiting()).count();
    if (count <= MAX_CLOSED) {
      return;   // the usual case: no sort every round
    }
    List<Asked> closed = asked().values().stream().filter(a -> !a.waiting())
        .sorted(Comparator.comparingLong(Asked::closedAt)).toList();
    for (int i = 0; i < closed.size() - MAX_CLOSED; i++) {
      String id = closed.get(i).request().imageId();
      askedStore.delete(id);
      asked.remove(id);
    }
  }

  private void put(Asked a) {
    askedStore.put(a.request().imageId(), a);
    asked().put(a.request().imageId(), a);
  }

  private AskingState state() {
    AskingState s = stateStore.get(STATE_KEY);
    return s == null ? AskingState.EMPTY : s;
  }

  /** Every request published and not yet forgotten, read once from the changelogged store (a restart resumes them). */
  private Map<String, Asked> asked() {
    if (asked == null) {
      asked = new HashMap<>();
      List<String> unreadable = new ArrayList<>();
      try (KeyValueIterator<String, Asked> it = askedStore.all()) {
        it.forEachRemaining(kv -> {
          if (kv.value != null && kv.value.request() != null && kv.value.unit() != null) {
            asked.put(kv.key, kv.value);
          } else if (kv.key != null) {
            unreadable.add(kv.key);
          }
        });
      }
      unreadable.forEach(askedStore::delete);
    }
    return asked;
  }

  private Map<String, ClassView> classes() {
    if (classes == null) {
      classes = new HashMap<>();
      List<String> unreadable = new ArrayList<>();
      try (KeyValueIterator<String, ClassView> it = classStore.all()) {
        it.forEachRemaining(kv -> {
          if (kv.value != null && kv.value.unit() != null && kv.value.unit().length == dimension) {
            classes.put(kv.key, kv.value);
          } else if (kv.key != null) {
            unreadable.add(kv.key);
          }
        });
      }
      unreadable.forEach(classStore::delete);
    }
    return classes;
  }

  /**
   * A record this service cannot use. One that came through this service's own gate (it carries its origin) was
   * read from a topic whose owner dead-letters it (the learner checks embeddings, labels and prototypes): it is
   * skipped and counted. One without an origin was written straight to this service's internal topic, where no
   * one else sees it: it goes to the dead letters here.
   */
  private void unusable(Record<String, byte[]> record, String input, RejectReason reason, String error) {
    if (record.headers().lastHeader(DeadLetters.ORIGIN) != null) {
      observer.skipped(input);
      LOG.debug("{}: the asking service skipped the record '{}': {}", input, record.key(), error);
      return;
    }
    observer.rejected(reason);
    var headers = DeadLetters.headers(record.headers(), Origins.of(context.recordMetadata()), reason, error, STAGE,
        System.currentTimeMillis());
    context.forward(new Record<>(record.key(), (Object) record.value(), Math.max(0, record.timestamp()), headers),
        AskingTopology.DEAD_LETTER_SINK);
  }
}
