package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An image flagged as anomalous (topics/schemas/anomaly.schema.json).
 *
 * @param embedding the image's embedding as the learner scored it (encoder {@code modelId} v{@code modelVersion}):
 *     an alert carries the point that raised it, so that new-class discovery can cluster alerts without a join;
 *     null in records written before it was added
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Anomaly(
    double score, double threshold, double reconstructionError, double prototypeDistance, String nearestClass,
    long eventTime, float[] embedding, String modelId, Integer modelVersion) {

  /** An alert without its point (tests and readers that do not cluster). */
  public Anomaly(double score, double threshold, double reconstructionError, double prototypeDistance,
      String nearestClass, long eventTime) {
    this(score, threshold, reconstructionError, prototypeDistance, nearestClass, eventTime, null, null, null);
  }

  public Anomaly {
    embedding = embedding == null ? null : embedding.clone();
  }

  @Override
  public float[] embedding() {
    return embedding == null ? null : embedding.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Anomaly a && Double.compare(a.score, score) == 0 && Double.compare(a.threshold, threshold) == 0
        && Double.compare(a.reconstructionError, reconstructionError) == 0
        && Double.compare(a.prototypeDistance, prototypeDistance) == 0
        && java.util.Objects.equals(a.nearestClass, nearestClass) && a.eventTime == eventTime
        && java.util.Arrays.equals(a.embedding, embedding) && java.util.Objects.equals(a.modelId, modelId)
        && java.util.Objects.equals(a.modelVersion, modelVersion);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(score, nearestClass, eventTime) * 31 + java.util.Arrays.hashCode(embedding);
  }
}
