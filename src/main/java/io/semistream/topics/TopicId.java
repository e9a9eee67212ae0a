package io.semistream.topics;

import java.util.Arrays;

/** Every topic the code uses, by its catalogue id (topics/catalogue.yaml). */
public enum TopicId {
  IMAGES("images", "image-bytes"),
  IMAGES_LARGE("images-large", "image-bytes"),
  LABELS("labels", "json"),
  EMBEDDINGS("embeddings", "embedding-f32-v1"),
  PREDICTIONS("predictions", "json"),
  PROTOTYPES("prototypes", "json"),
  PROTOTYPE_DELTAS("prototype-deltas", "json"),
  EXEMPLARS("exemplars", "json"),
  ANOMALIES("anomalies", "json"),
  CLASS_SEMANTICS("class-semantics", "json"),
  ZERO_SHOT_PROTOTYPES("zero-shot-prototypes", "json"),
  CLASS_CANDIDATES("class-candidates", "json"),
  LABEL_REQUESTS("label-requests", "json"),
  MODEL_VERSIONS("model-versions", "json"),
  DEAD_LETTER("dead-letter", "dead-letter");

  private final String catalogueId;
  private final String valueFormat;

  TopicId(String catalogueId, String valueFormat) {
    this.catalogueId = catalogueId;
    this.valueFormat = valueFormat;
  }

  public String catalogueId() {
    return catalogueId;
  }

  /** The value format the code's serde implements; the catalogue must declare the same. */
  public String valueFormat() {
    return valueFormat;
  }

  public static TopicId byCatalogueId(String id) {
    return Arrays.stream(values()).filter(t -> t.catalogueId.equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("catalogue topic '" + id + "' is unknown to the code"));
  }
}
