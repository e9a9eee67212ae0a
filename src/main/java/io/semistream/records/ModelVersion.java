package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * One encoder version as announced on the compacted {@code model-versions} topic (key: {@code modelId}),
 * topics/schemas/model-version.schema.json. The embedding service serves the newest {@code promoted} one.
 *
 * @param parent the version it was trained from
 * @param labelsSeen true labels the trainer had learned from
 * @param candidateAccuracy accuracy on held-out labels (never trained on) of this version
 * @param servingAccuracy the serving version's accuracy on the same held-out labels, same moment
 * @param heldOut how many held-out labels both were measured on
 * @param candidateRanksHigher held-out labels whose true class this version ranks higher among the class means
 *     than the serving version (the paired evidence behind a promotion on few labels)
 * @param servingRanksHigher held-out labels whose true class the serving version ranks higher
 * @param servingAccuracyUntrained the serving version's leave-one-out accuracy over every label it was never
 *     trained on, when it was never trained on labels (the unsupervised start); -1 otherwise, and in records
 *     written before it existed
 */
public record ModelVersion(String modelId, int version, int parent, Status status, int labelsSeen,
    double candidateAccuracy, double servingAccuracy, int heldOut,
    // Absent from announcements written before these counts existed (compacted: kept for ever): read as 0.
    @JsonSetter(nulls = Nulls.AS_EMPTY) int candidateRanksHigher,
    @JsonSetter(nulls = Nulls.AS_EMPTY) int servingRanksHigher,
    // Absent from those records too, where 0 would read as a measured 0 %: -1 ("does not apply") instead.
    Double servingAccuracyUntrained,
    long trainedSteps, long time) {

  /** Whether the candidate replaced the serving version. */
  public enum Status {
    @com.fasterxml.jackson.annotation.JsonProperty("promoted") PROMOTED,
    @com.fasterxml.jackson.annotation.JsonProperty("rejected") REJECTED
  }

  public ModelVersion {
    servingAccuracyUntrained = servingAccuracyUntrained == null ? -1.0 : servingAccuracyUntrained;
    if (modelId == null || !modelId.matches("[A-Za-z0-9._-]{1,64}") || version < 1 || parent < 0
        || status == null || labelsSeen < 0 || heldOut < 0 || candidateRanksHigher < 0 || servingRanksHigher < 0
        || candidateRanksHigher + servingRanksHigher > heldOut || trainedSteps < 0) {
      throw new IllegalArgumentException("a model version needs an id, version >= 1, parent >= 0, a status and "
          + "non-negative counts, at most as many rank changes as held-out labels");
    }
  }
}
