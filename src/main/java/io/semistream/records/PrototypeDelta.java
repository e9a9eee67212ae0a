package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * A change of one image's contribution to one class prototype: {@code weight} (negative to remove) times the
 * image's embedding. Deltas are exact inverses of each other, so adding and later removing a contribution
 * leaves the sums as if it had never been there. A true label's delta also carries the image's novelty view
 * ({@code noveltyVersion} 0 and no vector: none), from which the class's novelty mean is kept.
 */
public record PrototypeDelta(
    String className, boolean pseudo, double weight, float[] embedding, String modelId, int modelVersion,
    long time, @JsonSetter(nulls = Nulls.AS_EMPTY) int noveltyVersion, float[] novelty) {

  public PrototypeDelta(String className, boolean pseudo, double weight, float[] embedding, String modelId,
      int modelVersion, long time) {
    this(className, pseudo, weight, embedding, modelId, modelVersion, time, 0, null);
  }

  public PrototypeDelta {
    if (className == null || embedding == null || weight == 0 || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("a delta needs a class, an embedding and a finite non-zero weight");
    }
    if ((noveltyVersion == 0) != (novelty == null) || noveltyVersion < 0) {
      throw new IllegalArgumentException("a novelty view needs both a version >= 1 and a vector, got version "
          + noveltyVersion);
    }
  }
}
