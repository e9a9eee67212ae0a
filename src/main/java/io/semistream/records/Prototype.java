package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * One class prototype as published on the compacted {@code prototypes} topic
 * (topics/schemas/prototype.schema.json): {@code vector} is the weighted mean of the class's labelled embeddings
 * (weight 1) and pseudo-labelled ones (weight {@code learner.pseudo.weight}); {@code labelledVector} the mean of
 * the labelled ones alone.
 */
public record Prototype(
    @JsonProperty("class") String className, double[] vector, double count, double spread, long version,
    long updateTime, String modelId, int modelVersion, long labelledCount, double pseudoWeight,
    double[] labelledVector) {

  public Prototype {
    if (className == null || className.isBlank() || vector == null || vector.length == 0) {
      throw new IllegalArgumentException("prototype needs a class and a vector");
    }
    vector = vector.clone();
    labelledVector = labelledVector == null ? null : labelledVector.clone();
  }

  /** The mean of the true-labelled examples only (null when the class has none). */
  @Override
  public double[] labelledVector() {
    return labelledVector == null ? null : labelledVector.clone();
  }

  /** Read-only access without a copy, for the hot path: callers must not modify it. */
  public double[] labelledVectorView() {
    return labelledVector;
  }

  @Override
  public double[] vector() {
    return vector.clone();
  }

  /** Read-only access without a copy, for the hot path: callers must not modify it. */
  public double[] vectorView() {
    return vector;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Prototype p && p.className.equals(className) && Arrays.equals(p.vector, vector)
        && p.count == count && p.version == version && p.labelledCount == labelledCount
        && p.pseudoWeight == pseudoWeight;
  }

  @Override
  public int hashCode() {
    return className.hashCode() * 31 + Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    return "Prototype[" + className + ", count=" + count + " (" + labelledCount + " labelled, pseudo weight "
        + pseudoWeight + "), v" + version + "]";
  }
}
