package io.semistream.records;

import java.util.Arrays;

/**
 * One image's embedding as published on {@code embeddings} (topics/formats/embedding-f32-v1.md).
 * The model id and version travel with every vector so prototypes can be rebuilt per encoder version.
 *
 * <p>The novelty view: the embedding of a fixed encoder version ({@code embedding.novelty.version}, normally the
 * unsupervised autoencoder), beside the serving version's. Training on the stream's labels tunes the serving
 * encoder to the known classes and blurs what is new (held-out AUROC 0.91 to 0.82 over three promotions), so the
 * anomaly score is taken in the fixed space. {@code noveltyVersion} 0: none; equal to {@code modelVersion}: the
 * vector itself is the novelty view (the serving version is the fixed one).
 */
public record EmbeddingRecord(
    float[] vector, float reconstructionError, String modelId, int modelVersion, long eventTime,
    int noveltyVersion, float[] noveltyVector) {

  public static final int MAX_DIMENSION = 4096;

  /** Without a novelty view. */
  public EmbeddingRecord(float[] vector, float reconstructionError, String modelId, int modelVersion,
      long eventTime) {
    this(vector, reconstructionError, modelId, modelVersion, eventTime, 0, null);
  }

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
    if (noveltyVersion < 0) {
      throw new IllegalArgumentException("novelty version must be >= 0, got " + noveltyVersion);
    }
    if (noveltyVersion == 0 || noveltyVersion == modelVersion) {
      noveltyVector = noveltyVersion == 0 ? null : vector;
    } else {
      if (noveltyVector == null || noveltyVector.length == 0 || noveltyVector.length > MAX_DIMENSION) {
        throw new IllegalArgumentException("novelty vector of version " + noveltyVersion + " must have 1.."
            + MAX_DIMENSION + " values");
      }
      for (int i = 0; i < noveltyVector.length; i++) {
        if (!Float.isFinite(noveltyVector[i])) {
          throw new IllegalArgumentException("novelty value " + i + " is not finite: " + noveltyVector[i]);
        }
      }
      noveltyVector = noveltyVector.clone();
    }
  }

  @Override
  public float[] vector() {
    return vector.clone();
  }

  /** The fixed encoder's embedding (the vector itself when that version serves); null without a novelty view. */
  @Override
  public float[] noveltyVector() {
    return noveltyVector == null ? null : noveltyVector.clone();
  }

  /** True when the novelty view is a vector of its own (another encoder version than the serving one). */
  public boolean hasOwnNoveltyVector() {
    return noveltyVersion != 0 && noveltyVersion != modelVersion;
  }

  public int dimension() {
    return vector.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EmbeddingRecord other && Arrays.equals(vector, other.vector)
        && Float.compare(reconstructionError, other.reconstructionError) == 0 && modelId.equals(other.modelId)
        && modelVersion == other.modelVersion && eventTime == other.eventTime
        && noveltyVersion == other.noveltyVersion && Arrays.equals(noveltyVector, other.noveltyVector);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(vector) * 31 + modelId.hashCode() + modelVersion * 17 + Long.hashCode(eventTime);
  }

  @Override
  public String toString() {
    return "EmbeddingRecord[dim=" + vector.length + ", reconstructionError=" + reconstructionError + ", model="
        + modelId + " v" + modelVersion + ", eventTime=" + eventTime
        + (noveltyVersion == 0 ? "" : ", novelty v" + noveltyVersion) + "]";
  }
}
