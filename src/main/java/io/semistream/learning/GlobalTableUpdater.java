package io.semistream.learning;

import io.semistream.records.Exemplar;
import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import io.semistream.records.ClassCandidate;
import io.semistream.records.SynthesizedPrototype;
import io.semistream.topics.TopicId;
import java.util.function.BiFunction;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a global store equal to a compacted topic ({@code prototypes}, {@code exemplars},
 * {@code zero-shot-prototypes}, {@code class-candidates}; tombstones delete), taking only records this learner can
 * use: the topics are writable by anyone, and one record of junk or of another dimension once stopped every learner
 * (it was deserialized before any code could refuse it). It reads bytes and decides itself; a skipped record leaves
 * the class's last good value in place.
 * Registered through {@code StreamsBuilder.addGlobalStore}, so a restart re-runs this check while restoring.
 */
final class GlobalTableUpdater<T> implements Processor<String, byte[], Void, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(GlobalTableUpdater.class);
  private final String storeName;
  private final TopicId topic;
  private final JsonSerde<T> serde;
  private final BiFunction<String, T, String> problem;
  private final LearnerObserver observer;
  private KeyValueStore<String, T> store;

  private GlobalTableUpdater(String storeName, TopicId topic, JsonSerde<T> serde,
      BiFunction<String, T, String> problem, LearnerObserver observer) {
    this.storeName = storeName;
    this.topic = topic;
    this.serde = serde;
    this.problem = problem;
    this.observer = observer;
  }

  static GlobalTableUpdater<Prototype> prototypes(int dimension, LearnerObserver observer,
      JsonSerde<Prototype> serde) {
    return new GlobalTableUpdater<>(LearnerStores.PROTOTYPES, TopicId.PROTOTYPES, serde,
        (key, p) -> prototypeProblem(key, p, dimension), observer);
  }

  static GlobalTableUpdater<SynthesizedPrototype> synthesized(int dimension, LearnerObserver observer,
      JsonSerde<SynthesizedPrototype> serde) {
    return new GlobalTableUpdater<>(LearnerStores.ZERO_SHOT_PROTOTYPES, TopicId.ZERO_SHOT_PROTOTYPES, serde,
        (key, p) -> p == null ? "empty value" : classProblem(key, p.className(), p.vectorView(), dimension), observer);
  }

  static GlobalTableUpdater<Exemplar> exemplars(int dimension, LearnerObserver observer, JsonSerde<Exemplar> serde) {
    return new GlobalTableUpdater<>(LearnerStores.EXEMPLARS, TopicId.EXEMPLARS, serde,
        (key, e) -> e == null ? "empty value" : e.vectorView().length != dimension
            ? "vector of dimension " + e.vectorView().length + ", learner.embedding.dimension is " + dimension
            : null, observer);
  }

  static GlobalTableUpdater<ClassCandidate> candidates(int dimension, LearnerObserver observer,
      JsonSerde<ClassCandidate> serde) {
    return new GlobalTableUpdater<>(LearnerStores.CLASS_CANDIDATES, TopicId.CLASS_CANDIDATES, serde,
        (key, c) -> c == null ? "empty value" : classProblem(key, c.id(), c.centroid(), dimension), observer);
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.key() == null) {
      skip(record.key(), "no key");
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
      return;
    }
    T value;
    try {
      value = serde.decode(record.value());
    } catch (SerializationException | IllegalArgumentException e) {
      skip(record.key(), "not a valid record: " + e.getMessage());
      return;
    }
    String why = problem.apply(record.key(), value);
    if (why != null) {
      skip(record.key(), why);
      return;
    }
    store.put(record.key(), value);
  }

  /** Why {@code p} cannot serve as the prototype of class {@code key}, or null when it can. */
  static String prototypeProblem(String key, Prototype p, int dimension) {
    if (p == null) {
      return "empty value";
    }
    String problem = classProblem(key, p.className(), p.vectorView(), dimension);
    if (problem != null) {
      return problem;
    }
    double[] labelled = p.labelledVectorView();
    if (labelled != null && labelled.length != dimension) {
      return "labelled vector of dimension " + labelled.length;
    }
    if ((labelled != null && !finite(labelled)) || !Double.isFinite(p.count()) || !(p.count() > 0)
        || !Double.isFinite(p.spread()) || p.spread() < 0 || !Double.isFinite(p.pseudoWeight())) {
      return "non-finite or negative values";
    }
    // The anomaly score divides by the novelty variance: one NaN or negative value would make every score NaN.
    double[] novelty = p.noveltyVectorView();
    double[] variance = p.noveltyVarianceView();
    if (novelty != null && (novelty.length != dimension || !finite(novelty))) {
      return "novelty mean of dimension " + novelty.length + " or with non-finite values";
    }
    if (variance != null && (!finite(variance) || java.util.Arrays.stream(variance).anyMatch(x -> x < 0))) {
      return "non-finite or negative novelty variance";
    }
    return null;
  }

  private static String classProblem(String key, String className, double[] vector, int dimension) {
    if (!key.equals(className)) {
      return "key '" + key + "' names another class than the value ('" + className + "')";
    }
    if (vector.length != dimension) {
      return "vector of dimension " + vector.length + ", learner.embedding.dimension is " + dimension;
    }
    return finite(vector) ? null : "non-finite values";
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
    observer.globalRecordSkipped(topic);
    LOG.warn("{}: skipped the record for '{}': {}", topic.catalogueId(), key, why);
  }
}
