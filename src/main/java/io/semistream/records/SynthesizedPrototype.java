package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;

/**
 * The prototype of a class that has a semantic vector and no true label yet, synthesized by the zero-shot service
 * (topics/schemas/synthesized-prototype.schema.json; key on the compacted {@code zero-shot-prototypes} topic: the
 * class name). {@code vector} lives in the embedding space of encoder {@code modelId} v{@code modelVersion}: it is
 * the image of the class's attributes under the ridge map fitted on the {@code seenClasses}' labelled prototypes.
 */
public record SynthesizedPrototype(
    @JsonProperty("class") String className, double[] vector, double spread, String modelId, int modelVersion,
    List<String> seenClasses, double ridgeLambda, long updateTime) {

  public SynthesizedPrototype {
    if (className == null || className.isBlank() || vector == null || vector.length == 0) {
      throw new IllegalArgumentException("a synthesized prototype needs a class and a vector");
    }
    for (double x : vector) {
      if (!Double.isFinite(x)) {
        throw new IllegalArgumentException("synthesized prototype of " + className + " has a non-finite value");
      }
    }
    if (!(spread >= 0) || modelVersion < 1 || seenClasses == null || seenClasses.size() < 2 || !(ridgeLambda > 0)) {
      throw new IllegalArgumentException("synthesized prototype of " + className
          + ": spread >= 0, model version >= 1, at least two seen classes and a positive ridge lambda");
    }
    vector = vector.clone();
    seenClasses = List.copyOf(seenClasses);
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
    return o instanceof SynthesizedPrototype p && p.className.equals(className) && Arrays.equals(p.vector, vector)
        && p.spread == spread && p.modelVersion == modelVersion && p.seenClasses.equals(seenClasses)
        && p.ridgeLambda == ridgeLambda;
  }

  @Override
  public int hashCode() {
    return className.hashCode() * 31 + Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    return "SynthesizedPrototype[" + className + ", model v" + modelVersion + ", from " + seenClasses.size()
        + " seen classes]";
  }
}
