package io.semistream.model;

/** The model's output for one image, as plain Java values (no native memory outlives the call). */
public record ImageEmbedding(float[] vector, float reconstructionError) {
  public ImageEmbedding {
    if (vector == null || vector.length == 0) {
      throw new IllegalArgumentException("vector must not be empty");
    }
  }
}
