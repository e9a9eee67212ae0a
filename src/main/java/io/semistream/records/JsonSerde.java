package io.semistream.records;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON values for record types. Strict: unknown fields, missing required fields, nulls for primitives and
 * trailing garbage are errors, which the callers turn into dead letters.
 */
public final class JsonSerde<T> implements Serde<T> {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      // Embeddings are arrays of floats, and parsing them was a large share of the learner's stream thread (every
      // stored image state it reads): the fast parser reads a 128-float image state 2.7 times faster, and, being
      // correctly rounded like Float.parseFloat, to the same bits (JsonSerdeTest).
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      // The schemas say string where they say string: {"class": 5} is not the class "5". Jackson would coerce.
      .withCoercionConfig(LogicalType.Textual, c -> c
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .build();

  private final Class<T> type;
  private final RecordSchema schema;

  /** Strict binding only: for the service's own state stores, which have no published schema. */
  public JsonSerde(Class<T> type) {
    this(type, null);
  }

  /** Values of a catalogue topic: each one read is checked against the topic's published schema first. */
  public JsonSerde(Class<T> type, RecordSchema schema) {
    this.type = type;
    this.schema = schema;
  }

  public T decode(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      if (schema == null) {
        return MAPPER.readValue(bytes, type);
      }
      JsonNode tree = MAPPER.readTree(bytes);
      if (tree == null || tree.isMissingNode()) {
        throw new SerializationException("malformed " + type.getSimpleName() + " JSON: no value");
      }
      List<String> problems = schema.problems(tree);
      if (!problems.isEmpty()) {
        throw new SerializationException(type.getSimpleName() + " does not match " + schema.name() + ": "
            + String.join("; ", problems.subList(0, Math.min(3, problems.size()))));
      }
      return MAPPER.treeToValue(tree, type);
    } catch (IOException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
      throw new SerializationException("malformed " + type.getSimpleName() + " JSON: "
          + firstLine(cause.getMessage()), e);
    }
  }

  public byte[] encode(T value) {
    try {
      return value == null ? null : MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new SerializationException("cannot write " + type.getSimpleName() + " as JSON", e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, data) -> encode(data);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> decode(data);
  }
}
