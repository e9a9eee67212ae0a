package io.semistream.zeroshot;

import io.semistream.kafka.Origins;
import io.semistream.records.ClassSemantics;
import io.semistream.records.DeadLetters;
import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import io.semistream.records.RejectReason;
import io.semistream.records.SynthesizedPrototype;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
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
 * Keeps the semantic vectors and the real prototypes of every class (one task sees them all: both inputs are
 * repartitioned into one partition) and, after every change that matters, publishes the difference between the
 * synthesized prototypes it last published and those the tables now call for: new or changed ones, and tombstones
 * for classes that got true labels or lost their semantic vector.
 */
final class ZeroShotProcessor implements Processor<String, byte[], String, Object> {
  static final String STAGE = "zeroshot";
  private static final Logger LOG = LoggerFactory.getLogger(ZeroShotProcessor.class);

  private final ZeroShotSynthesizer synthesizer;
  private final int dimension;
  private final JsonSerde<ClassSemantics> semanticsSerde;
  private final JsonSerde<Prototype> prototypeSerde;
  private final ZeroShotObserver observer;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, ClassSemantics> semantics;
  private KeyValueStore<String, Prototype> prototypes;
  private KeyValueStore<String, SynthesizedPrototype> published;

  ZeroShotProcessor(double lambda, int dimension, JsonSerde<ClassSemantics> semanticsSerde,
      JsonSerde<Prototype> prototypeSerde, ZeroShotObserver observer) {
    this.synthesizer = new ZeroShotSynthesizer(lambda);
    this.dimension = dimension;
    this.semanticsSerde = semanticsSerde;
    this.prototypeSerde = prototypeSerde;
    this.observer = observer;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    semantics = context.getStateStore(ZeroShotTopology.SEMANTICS_STORE);
    prototypes = context.getStateStore(ZeroShotTopology.PROTOTYPES_STORE);
    published = context.getStateStore(ZeroShotTopology.PUBLISHED_STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    boolean isSemantics = topic.endsWith("-" + ZeroShotTopology.SEMANTICS + "-repartition");
    if (record.key() == null) {
      // The gates before the repartition refuse these; a record written straight to the internal topic (any
      // client can) meets the same rule here instead of a NullPointerException that would stop the service.
      if (isSemantics) {
        deadLetter(record, RejectReason.MISSING_KEY, "record has no class name (key)");
      } else {
        skip("<none>", "record has no class name (key)");
      }
      return;
    }
    boolean changed = isSemantics ? onSemantics(record) : onPrototype(record);
    if (changed) {
      republish(record.timestamp());
    }
  }

  private boolean onSemantics(Record<String, byte[]> record) {
    String key = record.key();
    if (record.value() == null) {
      return semantics.delete(key) != null;
    }
    ClassSemantics s;
    try {
      s = semanticsSerde.decode(record.value());
    } catch (SerializationException | IllegalArgumentException e) {
      deadLetter(record, RejectReason.MALFORMED_SEMANTICS, e.getMessage());
      return false;
    }
    String problem = !key.equals(s.className())
        ? "key '" + key + "' names another class than the value ('" + s.className() + "')"
        : lengthProblem(key, s.attributes().length);
    if (problem != null) {
      deadLetter(record, RejectReason.MALFORMED_SEMANTICS, problem);
      return false;
    }
    ClassSemantics before = semantics.get(key);
    semantics.put(key, s);
    return before == null || !Arrays.equals(before.attributes(), s.attributes());
  }

  /** Every class's vector must have the table's length: the one the other classes' vectors share. */
  private String lengthProblem(String key, int length) {
    try (KeyValueIterator<String, ClassSemantics> it = semantics.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        if (kv.value != null && !kv.key.equals(key) && kv.value.attributes().length != length) {
          return "semantic vector of " + length + " attributes; the table's vectors have "
              + kv.value.attributes().length + " (delete the old table first to change its attributes)";
        }
      }
    }
    return null;
  }

  private boolean onPrototype(Record<String, byte[]> record) {
    String key = record.key();
    if (record.value() == null) {
      return prototypes.delete(key) != null;
    }
    Prototype p;
    try {
      p = prototypeSerde.decode(record.value());
    } catch (SerializationException | IllegalArgumentException e) {
      skip(key, "not a prototype: " + e.getMessage());
      return false;
    }
    if (!key.equals(p.className()) || p.vectorView().length != dimension
        || (p.labelledVectorView() != null && p.labelledVectorView().length != dimension)) {
      skip(key, "key and class differ, or a vector is not of dimension " + dimension);
      return false;
    }
    Prototype before = prototypes.get(key);
    if (before != null && !LabelledMeanChanges.labelledPartChanged(before, p)) {
      return false;
    }
    prototypes.put(key, p);
    // Only the true-label part anchors the map: pseudo-label updates (most of this topic) change nothing.
    return true;
  }

  private void republish(long timestamp) {
    // An unreadable entry (junk from a changelog, see LenientStoreSerde) is no class; it is removed for good.
    List<String> unreadable = new ArrayList<>();
    Map<String, double[]> vectors = new HashMap<>();
    try (KeyValueIterator<String, ClassSemantics> it = semantics.all()) {
      it.forEachRemaining(kv -> {
        if (kv.value != null) {
          vectors.put(kv.key, kv.value.attributes());
        } else if (kv.key != null) {
          unreadable.add(kv.key);
        }
      });
    }
    unreadable.forEach(semantics::delete);
    unreadable.clear();
    Map<String, Prototype> real = new HashMap<>();
    try (KeyValueIterator<String, Prototype> it = prototypes.all()) {
      it.forEachRemaining(kv -> {
        if (kv.value != null) {
          real.put(kv.key, kv.value);
        } else if (kv.key != null) {
          unreadable.add(kv.key);
        }
      });
    }
    unreadable.forEach(prototypes::delete);
    long now = Math.max(0, context.currentStreamTimeMs());
    SortedMap<String, SynthesizedPrototype> wanted = synthesizer.synthesize(vectors, real, now);
    Map<String, SynthesizedPrototype> current = new HashMap<>();
    try (KeyValueIterator<String, SynthesizedPrototype> it = published.all()) {
      // An unreadable entry stays in: it is withdrawn or replaced below, which also cleans the changelog.
      it.forEachRemaining(kv -> current.put(kv.key, kv.value));
    }
    long ts = Math.max(0, timestamp);
    for (String gone : current.keySet()) {
      if (!wanted.containsKey(gone)) {
        published.delete(gone);
        context.forward(new Record<>(gone, null, ts), ZeroShotTopology.SINK);
      }
    }
    wanted.forEach((c, p) -> {
      if (!Objects.equals(current.get(c), p)) {
        published.put(c, p);
        context.forward(new Record<>(c, (Object) p, ts), ZeroShotTopology.SINK);
      }
    });
    int seen = wanted.isEmpty() ? 0 : wanted.values().iterator().next().seenClasses().size();
    observer.classes(vectors.size(), seen, wanted.size());
  }

  private void deadLetter(Record<String, byte[]> record, RejectReason reason, String error) {
    observer.rejected(reason);
    var headers = DeadLetters.headers(record.headers(), Origins.of(context.recordMetadata()),
        reason, error, STAGE, System.currentTimeMillis());
    context.forward(new Record<>(record.key(), (Object) record.value(), Math.max(0, record.timestamp()), headers),
        ZeroShotTopology.DEAD_LETTER_SINK);
  }

  private void skip(String key, String why) {
    observer.prototypeSkipped();
    LOG.warn("prototypes: the zero-shot service skipped the record for class '{}': {}", key, why);
  }
}
