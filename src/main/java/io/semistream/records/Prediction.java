package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The learner's prediction for one image (topics/schemas/prediction.schema.json). */
public record Prediction(
    @JsonProperty("class") String className, double confidence, double margin, Status status, long version,
    String modelId, int modelVersion, long eventTime, Double anomalyScore) {

  /** How the class was obtained. */
  public enum Status {
    @JsonProperty("labelled") LABELLED,
    @JsonProperty("pseudo") PSEUDO,
    @JsonProperty("uncertain") UNCERTAIN,
    @JsonProperty("anomaly") ANOMALY
  }

  public Prediction {
    if (className == null || className.isBlank()) {
      throw new IllegalArgumentException("prediction class must not be empty");
    }
    if (!(confidence >= 0 && confidence <= 1) || !(margin >= 0)) {
      throw new IllegalArgumentException("confidence must be in [0, 1] and margin >= 0");
    }
    if (status == null || version < 1) {
      throw new IllegalArgumentException("status is required and version must be >= 1");
    }
  }

  /** The same prediction as a later version (a correction). */
  public Prediction withVersion(long newVersion) {
    return new Prediction(className, confidence, margin, status, newVersion, modelId, modelVersion, eventTime,
        anomalyScore);
  }

  /**
   * Same class, status and encoder version: a re-emission would tell consumers nothing new. A new encoder version
   * is news even with the same class: readers learn that the prediction now rests on it.
   */
  public boolean sameOutcome(Prediction other) {
    return other != null && other.className.equals(className) && other.status == status
        && other.modelVersion == modelVersion;
  }
}
