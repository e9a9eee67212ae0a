package io.semistream.kafka;

import io.semistream.records.DeadLetters;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Where the record a processor is handling was read: topic, partition, offset (unknown in a punctuation). */
public final class Origins {
  private Origins() {
  }

  public static DeadLetters.Origin of(Optional<RecordMetadata> metadata) {
    return metadata.map(m -> new DeadLetters.Origin(m.topic(), m.partition(), m.offset()))
        .orElseGet(() -> new DeadLetters.Origin("", -1, -1));
  }
}
