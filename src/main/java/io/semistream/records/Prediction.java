package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The learner's prediction for one image (topics/schemas/prediction.schema.json).
 *
 * @param seenClass while classes known only by their semantic vector exist: the nearest class with a labelled
 *     prototype (what the prediction would be without zero-shot classes); null otherwise
 * @param zeroShotClass while such classes exist: the nearest of them; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Prediction(
    @JsonProperty("class") String className, double confidence, double margin, Status status, long version,
    String modelId, int modelVersion, long eventTime,
    @JsonInclude(JsonInclude.Include.ALWAYS) Double anomalyScore, String seenClass, String zeroShotClass) {

  /** How the class was obtained. */
  public enum Status {
    @JsonProperty("labelled") LABELLED,
    @JsonProperty("pseudo") PSEUDO,
    @JsonProperty("uncertain") UNCERTAIN,
    @JsonProperty("anomaly") ANOMALY,
    /** Novel for the labelled classes and nearest to a class known only by its semantic vector. */
    @JsonProperty("zero-shot") ZERO_SHOT
  }

  /** A prediction without zero-shot classes in play. */
  public Prediction(String className, double confidence, double margin, Status status, long version, String modelId,
      int modelVersion, long eventTime, Double anomalyScore) {
    this(className, confidence, margin, status, version, modelId, modelVersion, eventTime, anomalyScore, null, null);
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
        anomalyScore, seenClass, zeroShotClass);
  }

  /**
   * Same class, status, encoder version and nearest labelled and zero-shot classes: a re-emission would tell
   * consumers nothing new. A new encoder version is news even with the same class: readers learn that the
   * prediction now rests on it; so is a new nearest zero-shot class (zero-shot classes appeared or moved).
   */
  public boolean sameOutcome(Prediction other) {
    return other != null && other.className.equals(className) && other.status == status
        && other.modelVersion == modelVersion && java.util.Objects.equals(other.seenClass, seenClass)
        && java.util.Objects.equals(other.zeroShotClass, zeroShotClass);
  }
}
