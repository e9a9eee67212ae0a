package io.semistream.config;

import java.nio.file.Path;
import java.util.Map;

/** Values already parsed and validated against {@link SemistreamConfig#DEFINITION}; each section reads its own. */
public final class ParsedValues {
  private final Map<String, Object> values;

  ParsedValues(Map<String, Object> values) {
    this.values = Map.copyOf(values);
  }

  String string(String key) {
    return (String) get(key);
  }

  Path path(String key) {
    return Path.of(string(key));
  }

  int integer(String key) {
    return (Integer) get(key);
  }

  long longValue(String key) {
    return (Long) get(key);
  }

  /** A secret: read from a PASSWORD key, which Kafka's ConfigDef keeps out of logs. */
  String secret(String key) {
    Object v = get(key);
    return v == null ? "" : ((org.apache.kafka.common.config.types.Password) v).value();
  }

  boolean bool(String key) {
    return (Boolean) get(key);
  }

  double decimal(String key) {
    return (Double) get(key);
  }

  private Object get(String key) {
    if (!values.containsKey(key)) {
      throw new IllegalStateException("no parsed value for " + key + " (is it defined by its section?)");
    }
    return values.get(key);
  }
}
