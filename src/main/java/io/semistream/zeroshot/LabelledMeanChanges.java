package io.semistream.zeroshot;

import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Lets through only the {@code prototypes} records whose true-label part changed (or which the synthesizer must
 * judge itself: tombstones, records it cannot read).
 *
 * <p>Why, and why before the repartition: almost every record on {@code prototypes} is a pseudo-label update that
 * leaves the labelled mean alone; repartitioning tens of thousands of them into the one-task topic took CPU from
 * the learner and trainer on small machines, for nothing. The memory is per task and not logged: after a restart
 * the first record of each class passes once more, and the synthesizer, which keeps its own logged table,
 * finds nothing changed.
 */
final class LabelledMeanChanges implements FixedKeyProcessor<String, byte[], byte[]> {
  private final JsonSerde<Prototype> prototypeSerde;
  private final Map<String, Prototype> lastPassed = new HashMap<>();
  private FixedKeyProcessorContext<String, byte[]> context;

  LabelledMeanChanges(JsonSerde<Prototype> prototypeSerde) {
    this.prototypeSerde = prototypeSerde;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    if (admit(record.key(), record.value())) {
      context.forward(record);
    }
  }

  /** Whether the synthesizer must see this record; remembers what it let through. */
  boolean admit(String key, byte[] value) {
    if (value == null) {
      lastPassed.remove(key);
      return true;
    }
    Prototype p;
    try {
      p = prototypeSerde.decode(value);
    } catch (SerializationException | IllegalArgumentException e) {
      return true;
    }
    Prototype before = lastPassed.get(key);
    if (before != null && !labelledPartChanged(before, p)) {
      return false;
    }
    lastPassed.put(key, p);
    return true;
  }

  static boolean labelledPartChanged(Prototype before, Prototype after) {
    return before.modelVersion() != after.modelVersion() || before.labelledCount() != after.labelledCount()
        || !before.className().equals(after.className())
        || !Arrays.equals(before.labelledVectorView(), after.labelledVectorView());
  }
}
