package io.semistream.kafka;

import io.semistream.records.JsonSerde;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiPredicate;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Lets through a keyed table's records only when they change what the next step uses ({@code matters(last passed,
 * new)}), plus tombstones and records it cannot read (the next step judges those itself). Placed before a
 * repartition into a single-task topic: most records on a table like {@code prototypes} are updates the next step
 * ignores, and repartitioning them all took CPU from the learner on small machines. The memory is per task and
 * not logged: after a restart the first record of each key passes once more. {@link #init} forgets it too: Kafka
 * Streams revives a task whose transaction it aborted (a commit timeout, a corrupted task) with the same processor
 * instance, and the records it then processes again would otherwise be held back as "unchanged" although what
 * they forwarded the first time was never committed.
 */
public final class ChangedValues<T> implements FixedKeyProcessor<String, byte[], byte[]> {
  private final JsonSerde<T> serde;
  private final BiPredicate<T, T> matters;
  private final Map<String, T> lastPassed = new HashMap<>();
  private FixedKeyProcessorContext<String, byte[]> context;

  public ChangedValues(JsonSerde<T> serde, BiPredicate<T, T> matters) {
    this.serde = serde;
    this.matters = matters;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, byte[]> context) {
    this.context = context;
    lastPassed.clear();
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    if (admit(record.key(), record.value())) {
      context.forward(record);
    }
  }

  /** Whether the next step must see this record; remembers what it let through. */
  public boolean admit(String key, byte[] value) {
    if (value == null) {
      lastPassed.remove(key);
      return true;
    }
    T v;
    try {
      v = serde.decode(value);
    } catch (SerializationException | IllegalArgumentException e) {
      return true;
    }
    T before = lastPassed.get(key);
    if (before != null && !matters.test(before, v)) {
      return false;
    }
    lastPassed.put(key, v);
    return true;
  }
}
