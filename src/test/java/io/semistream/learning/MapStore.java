package io.semistream.learning;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** A global store as a processor sees it, backed by a map the test writes: iterated in key order, counted exactly. */
final class MapStore<V> implements ReadOnlyKeyValueStore<String, V> {
  final TreeMap<String, V> table = new TreeMap<>();

  @Override
  public V get(String key) {
    return table.get(key);
  }

  @Override
  public KeyValueIterator<String, V> range(String from, String to) {
    throw new UnsupportedOperationException();
  }

  @Override
  public KeyValueIterator<String, V> all() {
    Iterator<Map.Entry<String, V>> it = new TreeMap<>(table).entrySet().iterator();
    return new KeyValueIterator<>() {
      @Override
      public void close() {
      }

      @Override
      public String peekNextKey() {
        throw new UnsupportedOperationException();
      }

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public KeyValue<String, V> next() {
        Map.Entry<String, V> e = it.next();
        return KeyValue.pair(e.getKey(), e.getValue());
      }
    };
  }

  @Override
  public long approximateNumEntries() {
    return table.size();
  }
}
