package io.semistream.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * model.json in a versioned model directory: what the model is and how it was made.
 *
 * @param parent the version it was trained from (0: trained from scratch)
 * @param labelsSeen true labels the online trainer had when it saved this version (0: unsupervised)
 * @param validationAccuracy accuracy on held-out labels at save time (NaN: not measured)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelDescriptor(
    String id, int version, String architecture, int inputSide, int embeddingDim, int epochs, long seed,
    String trainedOn, int trainingImages, double finalLoss, long trainingMillis, String createdAt, int parent,
    int labelsSeen, double validationAccuracy) {

  public ModelDescriptor {
    if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("model id must be 1..64 of [A-Za-z0-9._-], got " + id);
    }
    if (version < 1) {
      throw new IllegalArgumentException("model version must be >= 1");
    }
    if (inputSide < 1 || embeddingDim < 1) {
      throw new IllegalArgumentException("input side and embedding dim must be positive");
    }
  }
}
