package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

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
    double[] labelledVector, @JsonSetter(nulls = Nulls.AS_EMPTY) int noveltyVersion, double[] noveltyVector,
    double[] noveltyVariance, @JsonSetter(nulls = Nulls.AS_EMPTY) long noveltyCount) {

  /** A novelty mean without its per-dimension variance (as published before the variance existed). */
  public Prototype(String className, double[] vector, double count, double spread, long version, long updateTime,
      String modelId, int modelVersion, long labelledCount, double pseudoWeight, double[] labelledVector,
      int noveltyVersion, double[] noveltyVector) {
    this(className, vector, count, spread, version, updateTime, modelId, modelVersion, labelledCount, pseudoWeight,
        labelledVector, noveltyVersion, noveltyVector, null, 0);
  }

  /** Without a novelty view. */
  public Prototype(String className, double[] vector, double count, double spread, long version, long updateTime,
      String modelId, int modelVersion, long labelledCount, double pseudoWeight, double[] labelledVector) {
    this(className, vector, count, spread, version, updateTime, modelId, modelVersion, labelledCount, pseudoWeight,
        labelledVector, 0, null, null, 0);
  }

  public Prototype {
    if (className == null || className.isBlank() || vector == null || vector.length == 0) {
      throw new IllegalArgumentException("prototype needs a class and a vector");
    }
    if ((noveltyVersion == 0) != (noveltyVector == null)) {
      throw new IllegalArgumentException("a novelty mean needs both a version and a vector");
    }
    if (noveltyVariance != null && (noveltyVector == null || noveltyVariance.length != noveltyVector.length
        || noveltyCount < 1)) {
      throw new IllegalArgumentException("a novelty variance goes with a novelty mean of its dimension and a count");
    }
    vector = vector.clone();
    labelledVector = labelledVector == null ? null : labelledVector.clone();
    noveltyVector = noveltyVector == null ? null : noveltyVector.clone();
    noveltyVariance = noveltyVariance == null ? null : noveltyVariance.clone();
  }

  /**
   * The true labels' variance per dimension around {@link #noveltyVector()} (population variance, over
   * {@code noveltyCount} examples); null when unknown.
   */
  @Override
  public double[] noveltyVariance() {
    return noveltyVariance == null ? null : noveltyVariance.clone();
  }

  /** Read-only access without a copy, for the hot path: callers must not modify it. */
  public double[] noveltyVarianceView() {
    return noveltyVariance;
  }

  /** The true labels' mean in the novelty view's space (null without one). */
  @Override
  public double[] noveltyVector() {
    return noveltyVector == null ? null : noveltyVector.clone();
  }

  /** Read-only access without a copy, for the hot path: callers must not modify it. */
  public double[] noveltyVectorView() {
    return noveltyVector;
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
