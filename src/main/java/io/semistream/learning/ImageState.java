package io.semistream.learning;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

import io.semistream.records.Prediction;

/**
 * Everything the learner keeps per image (the changelogged {@code learner-images} store): the embedding once it
 * arrived, a true label (or one waiting for its embedding), what the image currently contributes to a
 * prototype, and the last prediction emitted for it. The novelty view (see {@code EmbeddingRecord}) is kept only
 * when it is a vector of its own: while the novelty version serves, the embedding is the view.
 */
public record ImageState(
    float[] embedding, float reconstructionError, String modelId, int modelVersion, long eventTime,
    String trueLabel, PendingLabel pendingLabel, Contribution contribution, Prediction prediction,
    long firstSeen, @JsonSetter(nulls = Nulls.AS_EMPTY) int noveltyVersion, float[] noveltyVector) {

  public ImageState(float[] embedding, float reconstructionError, String modelId, int modelVersion, long eventTime,
      String trueLabel, PendingLabel pendingLabel, Contribution contribution, Prediction prediction,
      long firstSeen) {
    this(embedding, reconstructionError, modelId, modelVersion, eventTime, trueLabel, pendingLabel, contribution,
        prediction, firstSeen, 0, null);
  }

  /** A label that arrived before its image's embedding, with the stream time it arrived at. */
  public record PendingLabel(String className, String annotator, long time, long arrivedAt) {
  }

  /** One image's current share in one prototype. */
  public record Contribution(String className, boolean pseudo, double weight) {
  }

  boolean hasEmbedding() {
    return embedding != null;
  }

  /** The image in the novelty view's space; null without one. */
  float[] novelty() {
    if (noveltyVersion == 0 || embedding == null) {
      return null;
    }
    return noveltyVersion == modelVersion ? embedding : noveltyVector;
  }

  static ImageState labelOnly(PendingLabel label, long now) {
    return new ImageState(null, 0, null, 0, 0, null, label, null, null, now);
  }

  ImageState withEmbedding(float[] v, float error, String model, int version, long time, long now) {
    return withEmbedding(v, error, model, version, time, now, 0, null);
  }

  /** {@code ownNovelty}: the novelty view when it is not {@code v} itself (another version), else null. */
  ImageState withEmbedding(float[] v, float error, String model, int version, long time, long now,
      int novelty, float[] ownNovelty) {
    return new ImageState(v, error, model, version, time, trueLabel, pendingLabel, contribution, prediction,
        firstSeen == 0 ? now : firstSeen, novelty, novelty == version ? null : ownNovelty);
  }

  ImageState withTrueLabel(String label) {
    return new ImageState(embedding, reconstructionError, modelId, modelVersion, eventTime, label, null,
        contribution, prediction, firstSeen, noveltyVersion, noveltyVector);
  }

  ImageState withPending(PendingLabel label) {
    return new ImageState(embedding, reconstructionError, modelId, modelVersion, eventTime, trueLabel, label,
        contribution, prediction, firstSeen, noveltyVersion, noveltyVector);
  }

  ImageState withContribution(Contribution c) {
    return new ImageState(embedding, reconstructionError, modelId, modelVersion, eventTime, trueLabel,
        pendingLabel, c, prediction, firstSeen, noveltyVersion, noveltyVector);
  }

  ImageState withPrediction(Prediction p) {
    return new ImageState(embedding, reconstructionError, modelId, modelVersion, eventTime, trueLabel,
        pendingLabel, contribution, p, firstSeen, noveltyVersion, noveltyVector);
  }

  long nextPredictionVersion() {
    return prediction == null ? 1 : prediction.version() + 1;
  }
}
