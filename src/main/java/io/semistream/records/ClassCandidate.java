package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Arrays;
import java.util.List;

/**
 * A class the stream seems to hold and no one has named: a dense, coherent cluster of anomalies found by the
 * discovery service (topics/schemas/class-candidate.schema.json; key on the compacted {@code class-candidates}
 * topic: {@code id}). A tombstone withdraws it (the cluster faded, or the encoder it lived in was replaced).
 *
 * @param centroid unit-length mean direction of the members, in the embedding space of {@code modelId}
 *     v{@code modelVersion}
 * @param spread root-mean-square distance of the members (as unit vectors) to the centroid: how tight it is
 * @param size anomalies absorbed so far
 * @param exemplars image ids nearest the centre of its densest parts: the images to show a person
 * @param adoptedAs the class a label on one of its members named it; null while it is only a candidate
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClassCandidate(
    String id, double[] centroid, double spread, long size, List<String> exemplars, long firstSeen,
    long lastSeen, String modelId, int modelVersion, String adoptedAs, long updateTime) {

  public ClassCandidate {
    if (id == null || id.isBlank() || centroid == null || centroid.length == 0) {
      throw new IllegalArgumentException("a class candidate needs an id and a centroid");
    }
    for (double x : centroid) {
      if (!Double.isFinite(x)) {
        throw new IllegalArgumentException("class candidate " + id + " has a non-finite centroid value");
      }
    }
    if (!(spread >= 0) || size < 1 || exemplars == null || modelVersion < 1 || lastSeen < firstSeen) {
      throw new IllegalArgumentException("class candidate " + id
          + ": spread >= 0, size >= 1, exemplars, model version >= 1 and first seen <= last seen");
    }
    centroid = centroid.clone();
    exemplars = List.copyOf(exemplars);
  }

  @Override
  public double[] centroid() {
    return centroid.clone();
  }

  /** The same candidate named {@code className} by a label on one of its members. */
  public ClassCandidate adopted(String className, long time) {
    return new ClassCandidate(id, centroid, spread, size, exemplars, firstSeen, lastSeen, modelId, modelVersion,
        className, time);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClassCandidate c && c.id.equals(id) && Arrays.equals(c.centroid, centroid)
        && c.spread == spread && c.size == size && c.exemplars.equals(exemplars) && c.firstSeen == firstSeen
        && c.lastSeen == lastSeen && java.util.Objects.equals(c.modelId, modelId) && c.modelVersion == modelVersion
        && java.util.Objects.equals(c.adoptedAs, adoptedAs) && c.updateTime == updateTime;
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + Arrays.hashCode(centroid);
  }
}
