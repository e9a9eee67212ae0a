package io.semistream.discovery;

import io.semistream.records.JsonSerde;
import io.semistream.records.Prototype;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Lets through only the {@code prototypes} records that change what discovery takes from them, a labelled class's
 * spread in an encoder version: another version or labelled count, or a spread ratio moved by more than
 * {@link #TOLERANCE} (plus tombstones and records the processor must judge itself).
 *
 * <p>Why, and why before the repartition: nearly every record on {@code prototypes} is a pseudo-label update;
 * repartitioning all of them into the one-task topic took CPU from the learner on 2 cores (MonitoringIT then saw
 * the embedding latency alert pending). The memory is per task and not logged: after a restart the first record of
 * each class passes once more.
 */
final class SpreadChanges implements FixedKeyProcessor<String, byte[], byte[]> {
  static final double TOLERANCE = 0.02;
  private final JsonSerde<Prototype> prototypeSerde;
  private final Map<String, Prototype> lastPassed = new HashMap<>();
  private FixedKeyProcessorContext<String, byte[]> context;

  SpreadChanges(JsonSerde<Prototype> prototypeSerde) {
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

  /** Whether the processor must see this record; remembers what it let through. */
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
    if (before != null && before.modelVersion() == p.modelVersion() && before.labelledCount() == p.labelledCount()
        && Math.abs(ratio(p) - ratio(before)) <= TOLERANCE * ratio(before)) {
      return false;
    }
    lastPassed.put(key, p);
    return true;
  }

  private static double ratio(Prototype p) {
    double n = Vectors.norm(p.vectorView());
    return n > 0 ? p.spread() / n : 0;
  }
}
