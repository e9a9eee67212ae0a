package io.semistream.records;

import java.util.Arrays;

/**
 * One image's embedding as published on {@code embeddings} (topics/formats/embedding-f32-v1.md).
 * The model id and version travel with every vector so prototypes can be rebuilt per encoder version.
 */
public record EmbeddingRecord(
    float[] vector, float reconstructionError, String modelId, int modelVersion, long eventTime) {

  public static final int MAX_DIMENSION = 4096;

  public EmbeddingRecord {
    if (vector == null || vector.length == 0 || vector.length > MAX_DIMENSION) {
      throw new IllegalArgumentException("embedding dimension must be 1.." + MAX_DIMENSION);
    }
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        throw new IllegalArgumentException("embedding value " + i + " is not finite: " + vector[i]);
      }
    }
    if (!Float.isFinite(reconstructionError) || reconstructionError < 0) {
      throw new IllegalArgumentException("reconstruction error must be finite and >= 0, got " + reconstructionError);
    }
    if (modelId == null || modelId.isBlank() || modelId.length() > 255) {
      throw new IllegalArgumentException("model id must be 1..255 characters");
    }
    if (modelVersion < 1) {
      throw new IllegalArgumentException("model version must be >= 1, got " + modelVersion);
    }
    if (eventTime < 0) {
      throw new IllegalArgumentException("event time must be >= 0, got " + eventTime);
    }
    vector = vector.clone();
  }

  @Override
  public float[] vector() {
    return vector.clone();
  }

  public int dimension() {
    return vector.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EmbeddingRecord other && Arrays.equals(vector, other.vector)
        && Float.compare(reconstructionError, other.reconstructionError) == 0 && modelId.equals(other.modelId)
        && modelVersion == other.modelVersion && eventTime == other.eventTime;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(vector) * 31 + modelId.hashCode() + modelVersion * 17 + Long.hashCode(eventTime);
  }

  @Override
  public String toString() {
    return "EmbeddingRecord[dim=" + vector.length + ", reconstructionError=" + reconstructionError + ", model="
        + modelId + " v" + modelVersion + ", eventTime=" + eventTime + "]";
  }
}
