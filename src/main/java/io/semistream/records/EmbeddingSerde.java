package io.semistream.records;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The binary {@code embedding-f32-v1} layout documented in topics/formats/embedding-f32-v1.md. */
public final class EmbeddingSerde implements Serde<EmbeddingRecord> {
  static final byte MAGIC = 0x45;
  static final byte LAYOUT_VERSION = 1;

  public static byte[] encode(EmbeddingRecord e) {
    byte[] id = e.modelId().getBytes(StandardCharsets.UTF_8);
    if (id.length > 0xFFFF) {
      throw new SerializationException("model id too long");
    }
    float[] v = e.vector();
    ByteBuffer buf = ByteBuffer.allocate(22 + id.length + 4 * v.length);
    buf.put(MAGIC).put(LAYOUT_VERSION).putLong(e.eventTime()).putFloat(e.reconstructionError())
        .putInt(e.modelVersion()).putShort((short) id.length).put(id).putShort((short) v.length);
    for (float f : v) {
      buf.putFloat(f);
    }
    return buf.array();
  }

  public static EmbeddingRecord decode(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      if (buf.get() != MAGIC) {
        throw new SerializationException("not an embedding-f32 record (bad magic byte)");
      }
      byte layout = buf.get();
      if (layout != LAYOUT_VERSION) {
        throw new SerializationException("unknown embedding layout version " + layout);
      }
      long eventTime = buf.getLong();
      float reconstructionError = buf.getFloat();
      int modelVersion = buf.getInt();
      byte[] id = new byte[Short.toUnsignedInt(buf.getShort())];
      buf.get(id);
      int dim = Short.toUnsignedInt(buf.getShort());
      if (buf.remaining() != 4 * dim) {
        throw new SerializationException("embedding declares " + dim + " floats but carries "
            + buf.remaining() + " bytes");
      }
      float[] vector = new float[dim];
      buf.asFloatBuffer().get(vector);
      return new EmbeddingRecord(vector, reconstructionError, new String(id, StandardCharsets.UTF_8), modelVersion,
          eventTime);
    } catch (BufferUnderflowException e) {
      throw new SerializationException("truncated embedding record (" + bytes.length + " bytes)");
    } catch (IllegalArgumentException e) {
      throw new SerializationException("invalid embedding: " + e.getMessage());
    }
  }

  @Override
  public Serializer<EmbeddingRecord> serializer() {
    return (topic, data) -> data == null ? null : encode(data);
  }

  @Override
  public Deserializer<EmbeddingRecord> deserializer() {
    return (topic, data) -> decode(data);
  }
}
