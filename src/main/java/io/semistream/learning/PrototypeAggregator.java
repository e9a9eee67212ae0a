package io.semistream.learning;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by class: applies every {@link PrototypeDelta} to the class's exact running sums and publishes the
 * new prototype (or a tombstone when the class has no example left) to the compacted {@code prototypes}
 * topic. Sums are doubles of float inputs, so after any sequence of additions and removals the prototype is
 * the batch mean of the current members up to rounding far below 1e-5.
 */
public final class PrototypeAggregator implements Processor<String, PrototypeDelta, String, Prototype> {
  private ProcessorContext<String, Prototype> context;
  private KeyValueStore<String, PrototypeSums> sums;

  @Override
  public void init(ProcessorContext<String, Prototype> context) {
    this.context = context;
    this.sums = context.getStateStore(LearnerTopology.SUMS_STORE);
  }

  @Override
  public void process(Record<String, PrototypeDelta> record) {
    PrototypeDelta delta = record.value();
    if (delta == null) {
      return;
    }
    PrototypeSums current = sums.get(delta.className());
    if (current == null) {
      current = PrototypeSums.empty(delta.className(), delta.embedding().length);
    }
    PrototypeSums next = current.apply(delta);
    Prototype prototype = next.toPrototype(record.timestamp());
    if (prototype == null) {
      sums.delete(delta.className());
    } else {
      sums.put(delta.className(), next);
    }
    context.forward(new Record<>(delta.className(), prototype, record.timestamp()));
  }
}
