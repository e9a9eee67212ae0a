package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * One truly labelled image as the learner's neighbours see it (topics/schemas/exemplar.schema.json; key on the
 * compacted {@code exemplars} topic: the image id): its class and its embedding by encoder {@code modelId}
 * v{@code modelVersion}. A newer version's embedding of the same image replaces it.
 */
public record Exemplar(@JsonProperty("class") String className, float[] vector, String modelId, int modelVersion,
    long updateTime) {

  public Exemplar {
    if (className == null || className.isBlank() || vector == null || vector.length == 0) {
      throw new IllegalArgumentException("an exemplar needs a class and a vector");
    }
    for (float x : vector) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("exemplar of " + className + " has a non-finite value");
      }
    }
    if (modelVersion < 1) {
      throw new IllegalArgumentException("exemplar of " + className + ": model version must be >= 1");
    }
    vector = vector.clone();
  }

  @Override
  public float[] vector() {
    return vector.clone();
  }

  /** Read-only access without a copy, for the hot path: callers must not modify it. */
  public float[] vectorView() {
    return vector;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Exemplar e && e.className.equals(className) && Arrays.equals(e.vector, vector)
        && java.util.Objects.equals(e.modelId, modelId) && e.modelVersion == modelVersion
        && e.updateTime == updateTime;
  }

  @Override
  public int hashCode() {
    return className.hashCode() * 31 + Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    return "Exemplar[" + className + ", model v" + modelVersion + "]";
  }
}
