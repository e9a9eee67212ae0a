package io.semistream.records;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The binary {@code embedding-f32} layout documented in topics/formats/embedding-f32-v1.md: layout 1, or layout 2
 * when the record carries a novelty view (layout 1 plus the novelty section), so readers of layout 1 keep working
 * while no novelty view is configured.
 */
public final class EmbeddingSerde implements Serde<EmbeddingRecord> {
  static final byte MAGIC = 0x45;
  static final byte LAYOUT_VERSION = 1;
  static final byte LAYOUT_WITH_NOVELTY = 2;

  public static byte[] encode(EmbeddingRecord e) {
    byte[] id = e.modelId().getBytes(StandardCharsets.UTF_8);
    if (id.length > 0xFFFF) {
      throw new SerializationException("model id too long");
    }
    float[] v = e.vector();
    boolean novelty = e.noveltyVersion() != 0;
    float[] own = e.hasOwnNoveltyVector() ? e.noveltyVector() : new float[0];
    ByteBuffer buf = ByteBuffer.allocate(22 + id.length + 4 * v.length + (novelty ? 6 + 4 * own.length : 0));
    buf.put(MAGIC).put(novelty ? LAYOUT_WITH_NOVELTY : LAYOUT_VERSION).putLong(e.eventTime())
        .putFloat(e.reconstructionError()).putInt(e.modelVersion()).putShort((short) id.length).put(id)
        .putShort((short) v.length);
    for (float f : v) {
      buf.putFloat(f);
    }
    if (novelty) {
      buf.putInt(e.noveltyVersion()).putShort((short) own.length);
      for (float f : own) {
        buf.putFloat(f);
      }
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
      if (layout != LAYOUT_VERSION && layout != LAYOUT_WITH_NOVELTY) {
        throw new SerializationException("unknown embedding layout version " + layout);
      }
      long eventTime = buf.getLong();
      float reconstructionError = buf.getFloat();
      int modelVersion = buf.getInt();
      byte[] id = new byte[Short.toUnsignedInt(buf.getShort())];
      buf.get(id);
      int dim = Short.toUnsignedInt(buf.getShort());
      int tail = layout == LAYOUT_VERSION ? 0 : 6;
      if (buf.remaining() < 4 * dim + tail || (layout == LAYOUT_VERSION && buf.remaining() != 4 * dim)) {
        throw new SerializationException("embedding declares " + dim + " floats but carries "
            + buf.remaining() + " bytes");
      }
      float[] vector = floats(buf, dim);
      String modelId = new String(id, StandardCharsets.UTF_8);
      if (layout == LAYOUT_VERSION) {
        return new EmbeddingRecord(vector, reconstructionError, modelId, modelVersion, eventTime);
      }
      int noveltyVersion = buf.getInt();
      int noveltyDim = Short.toUnsignedInt(buf.getShort());
      if (noveltyVersion < 1 || buf.remaining() != 4 * noveltyDim
          || (noveltyVersion == modelVersion) != (noveltyDim == 0)) {
        throw new SerializationException("novelty section of version " + noveltyVersion + " declares " + noveltyDim
            + " floats but carries " + buf.remaining() + " bytes (none when it is the model's own version)");
      }
      float[] novelty = floats(buf, noveltyDim);
      return new EmbeddingRecord(vector, reconstructionError, modelId, modelVersion, eventTime, noveltyVersion,
          novelty);
    } catch (BufferUnderflowException e) {
      throw new SerializationException("truncated embedding record (" + bytes.length + " bytes)");
    } catch (IllegalArgumentException e) {
      throw new SerializationException("invalid embedding: " + e.getMessage());
    }
  }

  /** {@code n} floats in one bulk read, the buffer moved past them. */
  private static float[] floats(ByteBuffer buf, int n) {
    float[] out = new float[n];
    buf.asFloatBuffer().get(out);
    buf.position(buf.position() + 4 * n);
    return out;
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
