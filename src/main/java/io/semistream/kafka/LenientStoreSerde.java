package io.semistream.kafka;

import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A state store's serde that reads an entry it cannot decode as absent instead of throwing.
 *
 * <p>Why: a store's changelog is a Kafka topic like any other, and any client can write to it. Kafka Streams
 * restores changelog bytes into the store as they are; the store's deserializer first sees them when a processor
 * reads the entry, and a throw there stops the stream thread on every restart. Read as absent, a junk entry under
 * a key of its own is ignored; one that overwrote a real entry loses that entry (the changelog is the state), which
 * is counted and logged, and the service goes on.
 */
public final class LenientStoreSerde<T> implements Serde<T> {
  private static final Logger LOG = LoggerFactory.getLogger(LenientStoreSerde.class);

  private final Serde<T> inner;
  private final String store;
  private final Consumer<String> onUnreadable;

  private LenientStoreSerde(Serde<T> inner, String store, Consumer<String> onUnreadable) {
    this.inner = inner;
    this.store = store;
    this.onUnreadable = onUnreadable;
  }

  /** @param onUnreadable hears the store's name for each entry (key or value) that could not be decoded */
  public static <T> Serde<T> of(Serde<T> inner, String store, Consumer<String> onUnreadable) {
    return new LenientStoreSerde<>(inner, store, onUnreadable);
  }

  @Override
  public Serializer<T> serializer() {
    return inner.serializer();
  }

  @Override
  public Deserializer<T> deserializer() {
    Deserializer<T> d = inner.deserializer();
    return (topic, data) -> {
      try {
        return d.deserialize(topic, data);
      } catch (RuntimeException e) {
        onUnreadable.accept(store);
        LOG.warn("state store {}: an entry of {} bytes is not readable ({}); treated as absent", store,
            data == null ? 0 : data.length, e.getMessage());
        return null;
      }
    };
  }
}
