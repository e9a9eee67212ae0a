package io.semistream.learning;

import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global prototype store equal to the compacted {@code prototypes} topic (tombstones delete), taking
 * only records that are prototypes this learner can use: the topic is writable by anyone, and one record of
 * junk or of another dimension once stopped every learner (it was deserialized before any code could refuse
 * it). It reads bytes and decides itself; a skipped record leaves the class's last good prototype in place.
 * Registered through {@code StreamsBuilder.addGlobalStore}, so a restart re-runs this check while restoring.
 */
final class GlobalPrototypeUpdater implements Processor<String, byte[], Void, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(GlobalPrototypeUpdater.class);
  private final JsonSerde<Prototype> serde;
  private final int dimension;
  private final LearnerObserver observer;
  private KeyValueStore<String, Prototype> store;

  GlobalPrototypeUpdater(int dimension, LearnerObserver observer, JsonSerde<Prototype> serde) {
    this.serde = serde;
    this.dimension = dimension;
    this.observer = observer;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(LearnerStores.PROTOTYPES);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.key() == null) {
      skip(record.key(), "no class name (key)");
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
      return;
    }
    Prototype p;
    try {
      p = serde.decode(record.value());
    } catch (SerializationException | IllegalArgumentException e) {
      skip(record.key(), "not a prototype: " + e.getMessage());
      return;
    }
    String problem = problem(record.key(), p);
    if (problem != null) {
      skip(record.key(), problem);
      return;
    }
    store.put(record.key(), p);
  }

  /** Why {@code p} cannot serve as the prototype of class {@code key}, or null when it can. */
  String problem(String key, Prototype p) {
    if (p == null) {
      return "empty value";
    }
    if (!key.equals(p.className())) {
      return "key '" + key + "' names another class than the value ('" + p.className() + "')";
    }
    double[] v = p.vectorView();
    if (v.length != dimension) {
      return "vector of dimension " + v.length + ", learner.embedding.dimension is " + dimension;
    }
    double[] labelled = p.labelledVectorView();
    if (labelled != null && labelled.length != dimension) {
      return "labelled vector of dimension " + labelled.length;
    }
    if (!finite(v) || (labelled != null && !finite(labelled)) || !Double.isFinite(p.count()) || !(p.count() > 0)
        || !Double.isFinite(p.spread()) || p.spread() < 0 || !Double.isFinite(p.pseudoWeight())) {
      return "non-finite or negative values";
    }
    return null;
  }

  private static boolean finite(double[] v) {
    for (double x : v) {
      if (!Double.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  private void skip(String key, String why) {
    observer.prototypeSkipped();
    LOG.warn("prototypes: skipped the record for class '{}': {}", key, why);
  }
}
