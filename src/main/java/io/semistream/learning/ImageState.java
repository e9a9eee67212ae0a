package io.semistream.learning;

import io.semistream.records.Prediction;

/**
 * Everything the learner keeps per image (the changelogged {@code learner-images} store): the embedding once it
 * arrived, a true label (or one waiting for its embedding), what the image currently contributes to a
 * prototype, and the last prediction emitted for it.
 */
public record ImageState(
    float[] embedding, float reconstructionError, String modelId, int modelVersion, long eventTime,
    String trueLabel, PendingLabel pendingLabel, Contribution contribution, Prediction prediction,
    long firstSeen) {

  /** A label that arrived before its image's embedding, with the stream time it arrived at. */
  public record PendingLabel(String className, String annotator, long time, long arrivedAt) {
  }

  /** One image's current share in one prototype. */
  public record Contribution(String className, boolean pseudo, double weight) {
  }

  boolean hasEmbedding() {
    return embedding != null;
  }

  static ImageState labelOnly(PendingLabel label, long now) {
    return new ImageState(null, 0, null, 0, 0, null, label, null, null, now);
  }

  ImageState withEmbedding(float[] v, float error, String model, int version, long time, long now) {
    return new ImageState(v, error, model, version, time, trueLabel, pendingLabel, contribution, prediction,
        firstSeen == 0 ? now : firstSeen);
  }

  ImageState withTrueLabel(String label) {
    return new ImageState(embedding, reconstructionError, modelId, modelVersion, eventTime, label, null,
        contribution, prediction, firstSeen);
  }

  ImageState withPending(PendingLabel label) {
    return new ImageState(embedding, reconstructionError, modelId, modelVersion, eventTime, trueLabel, label,
        contribution, prediction, firstSeen);
  }

  ImageState withContribution(Contribution c) {
    return new ImageState(embedding, reconstructionError, modelId, modelVersion, eventTime, trueLabel,
        pendingLabel, c, prediction, firstSeen);
  }

  ImageState withPrediction(Prediction p) {
    return new ImageState(embedding, reconstructionError, modelId, modelVersion, eventTime, trueLabel,
        pendingLabel, contribution, p, firstSeen);
  }

  long nextPredictionVersion() {
    return prediction == null ? 1 : prediction.version() + 1;
  }
}
