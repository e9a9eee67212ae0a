package io.semistream.kafka;

import io.semistream.records.DeadLetters;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Notes in a header where a record entered (topic, partition, offset) before a topology re-keys or repartitions it
 * through an internal topic, so that a dead letter raised after the re-keying still names what the user wrote.
 */
public final class OriginStamp<K> implements FixedKeyProcessor<K, byte[], byte[]> {
  private FixedKeyProcessorContext<K, byte[]> context;

  @Override
  public void init(FixedKeyProcessorContext<K, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<K, byte[]> record) {
    context.recordMetadata().ifPresent(m ->
        new DeadLetters.Origin(m.topic(), m.partition(), m.offset()).writeTo(record.headers()));
    context.forward(record);
  }
}
