package io.semistream.records;

/**
 * A change of one image's contribution to one class prototype: {@code weight} (negative to remove) times the
 * image's embedding. Deltas are exact inverses of each other, so adding and later removing a contribution
 * leaves the sums as if it had never been there.
 */
public record PrototypeDelta(
    String className, boolean pseudo, double weight, float[] embedding, String modelId, int modelVersion,
    long time) {

  public PrototypeDelta {
    if (className == null || embedding == null || weight == 0 || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("a delta needs a class, an embedding and a finite non-zero weight");
    }
  }
}
