package io.semistream.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** model.json in a versioned model directory: what the model is and how it was made. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelDescriptor(
    String id, int version, String architecture, int inputSide, int embeddingDim, int epochs, long seed,
    String trainedOn, int trainingImages, double finalLoss, long trainingMillis, String createdAt) {

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
