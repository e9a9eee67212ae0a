package io.semistream.learning;

import io.semistream.config.LearnerSettings;
import io.semistream.kafka.Origins;
import io.semistream.records.DeadLetters;
import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import io.semistream.records.PrototypeDelta;
import io.semistream.records.RejectReason;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by class: applies every {@link PrototypeDelta} to the class's exact running sums and publishes the
 * new prototype (or a tombstone when the class has no weight left) to the compacted {@code prototypes} topic.
 * Sums are doubles of float inputs, so after any sequence of additions and removals the prototype is the batch
 * mean of the current members up to rounding far below 1e-5.
 *
 * <p>The deltas topic is internal but writable by anyone: a record that is not a delta the learner could have
 * written (bad JSON, wrong key or dimension, non-finite values, a removal of weight the class does not hold) goes
 * to the dead-letter topic and leaves the sums untouched.
 *
 * <p>The pseudo-label cap ({@code learner.pseudo.max.ratio} × true labels) is enforced here, where the exact
 * sums live: image learners decide against a prototype that lags the deltas in flight, so several of them can
 * add pseudo weight at once; the published prototype scales the pseudo part down to the cap whatever arrived.
 */
final class PrototypeAggregator implements Processor<String, byte[], String, Object> {
  static final String STAGE = "prototype-aggregator";
  private final JsonSerde<PrototypeDelta> serde;
  private final int dimension;
  private final double maxPseudoRatio;
  private final LearnerObserver observer;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, PrototypeSums> sums;

  PrototypeAggregator(LearnerSettings settings, LearnerObserver observer, JsonSerde<PrototypeDelta> serde) {
    this.serde = serde;
    this.dimension = settings.classification().embeddingDimension();
    this.maxPseudoRatio = settings.selfTraining().maxRatio();
    this.observer = observer;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.sums = context.getStateStore(LearnerStores.PROTOTYPE_SUMS);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    PrototypeDelta delta;
    try {
      delta = record.value() == null ? null : serde.decode(record.value());
    } catch (SerializationException e) {
      reject(record, e.getMessage());
      return;
    }
    if (delta == null) {
      reject(record, "delta record has no value");
      return;
    }
    PrototypeSums current = sums.get(delta.className());
    String problem = problem(record.key(), delta, current);
    if (problem != null) {
      reject(record, problem);
      return;
    }
    PrototypeSums base = current == null ? PrototypeSums.empty(delta.className(), dimension) : current;
    PrototypeSums next;
    try {
      next = base.applyVersioned(delta);
    } catch (ArithmeticException e) {
      reject(record, e.getMessage());
      return;
    }
    if (next == base) {
      return;   // a stale delta of a retired encoder version
    }
    if (next.isEmpty()) {
      sums.delete(delta.className());
    } else {
      sums.put(delta.className(), next);
    }
    Prototype prototype = next.toPrototype(record.timestamp(), maxPseudoRatio);
    context.forward(new Record<>(delta.className(), (Object) prototype, record.timestamp()),
        LearnerTopology.Sinks.PROTOTYPES);
  }

  private String problem(String key, PrototypeDelta d, PrototypeSums current) {
    if (key == null || !key.equals(d.className())) {
      return "key '" + key + "' is not the delta's class '" + d.className() + "'";
    }
    if (d.embedding().length != dimension) {
      return "embedding of dimension " + d.embedding().length + ", learner.embedding.dimension is " + dimension;
    }
    for (float x : d.embedding()) {
      if (!Float.isFinite(x)) {
        return "non-finite embedding value";
      }
    }
    if (d.novelty() != null) {
      if (d.pseudo() || d.novelty().length != dimension) {
        return "a novelty view goes with a true label of dimension " + dimension + ", this delta: "
            + (d.pseudo() ? "pseudo" : "dimension " + d.novelty().length);
      }
      for (float x : d.novelty()) {
        if (!Float.isFinite(x)) {
          return "non-finite novelty value";
        }
      }
    }
    if (d.weight() < 0 && (current == null || d.modelVersion() == current.modelVersion())) {
      double held = current == null ? 0 : d.pseudo() ? current.pseudoWeight() : current.labelledCount();
      if (-d.weight() > held + 1e-9) {
        return "removes weight " + (-d.weight()) + " from class '" + d.className() + "', which holds " + held;
      }
    }
    if (!d.pseudo() && Math.abs(Math.abs(d.weight()) - 1) > 1e-9) {
      return "a true label weighs 1, this delta " + d.weight();
    }
    return null;
  }

  private void reject(Record<String, byte[]> record, String error) {
    observer.deadLettered(RejectReason.MALFORMED_DELTA);
    DeadLetters.Origin origin = Origins.of(context.recordMetadata());
    var headers = DeadLetters.headers(record.headers(), origin, RejectReason.MALFORMED_DELTA, error, STAGE,
        System.currentTimeMillis());
    context.forward(new Record<>(record.key(), (Object) record.value(), Math.max(0, record.timestamp()), headers),
        LearnerTopology.Sinks.AGGREGATOR_DEAD_LETTER);
  }
}
