package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A label for one image (topics/schemas/label.schema.json). Key on the topic: the image id. */
public record LabelRecord(
    @JsonProperty(value = "class", required = true) String className,
    @JsonProperty(value = "annotator", required = true) String annotator,
    @JsonProperty(value = "time", required = true) long time) {

  public static final int MAX_TEXT_LENGTH = 128;

  public LabelRecord {
    if (className == null || className.isBlank()) {
      throw new IllegalArgumentException("label class must not be empty");
    }
    if (className.length() > MAX_TEXT_LENGTH) {
      throw new IllegalArgumentException("label class longer than " + MAX_TEXT_LENGTH + " characters");
    }
    if (annotator == null || annotator.isBlank() || annotator.length() > MAX_TEXT_LENGTH) {
      throw new IllegalArgumentException("label annotator must be 1.." + MAX_TEXT_LENGTH + " characters");
    }
    if (time < 0) {
      throw new IllegalArgumentException("label time must be >= 0, got " + time);
    }
  }
}
