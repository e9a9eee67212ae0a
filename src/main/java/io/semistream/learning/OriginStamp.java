package io.semistream.learning;

import io.semistream.records.DeadLetters;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Notes in a header where a record entered (topic, partition, offset) before the learner re-keys it through an
 * internal topic, so that a dead letter raised after the re-keying still names what the user wrote.
 */
final class OriginStamp implements FixedKeyProcessor<String, byte[], byte[]> {
  private FixedKeyProcessorContext<String, byte[]> context;

  @Override
  public void init(FixedKeyProcessorContext<String, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    context.recordMetadata().ifPresent(m ->
        new DeadLetters.Origin(m.topic(), m.partition(), m.offset()).writeTo(record.headers()));
    context.forward(record);
  }
}
