package io.semistream.topics;

import org.apache.kafka.common.serialization.Serde;

/** A topic name together with the serdes of its key and value formats. */
public record TypedTopic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
  public TypedTopic {
    if (name == null || name.isBlank() || keySerde == null || valueSerde == null) {
      throw new IllegalArgumentException("a typed topic needs a name and both serdes");
    }
  }
}
