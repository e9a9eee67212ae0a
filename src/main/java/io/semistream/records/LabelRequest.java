package io.semistream.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The service asks a person to label one image (topics/schemas/label-request.schema.json; key on the compacted
 * {@code label-requests} topic: {@code imageId}). A label for the image on {@code labels}, from anyone, answers
 * it: the request is republished with {@code answeredAs}. A tombstone withdraws an unanswered one (expired).
 *
 * @param score how much the service wants this label (higher first); comparable within one {@code reason}
 * @param detail the reason in words, for the person ("between Shirt and T-shirt/top, margin 0.012")
 * @param predictedClass the nearest class when asked (null before two classes had labels)
 * @param runnerUp the second nearest class when asked (null likewise)
 * @param margin cosine similarity of the nearest minus the second nearest class when asked (null likewise)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LabelRequest(String imageId, double score, Reason reason, String detail, String predictedClass,
    String runnerUp, Double margin, String modelId, int modelVersion, long requestTime, String answeredAs,
    Long answerTime) {

  /** Why an image was chosen; {@link #code()} is its name on the wire and in metric tags. */
  public enum Reason {
    /** Fewer than two classes have labels: images far from every earlier request, to find the classes. */
    COLD_START("cold-start"),
    /** The nearest two classes are nearly as close: the label decides between them. */
    UNCERTAIN("uncertain"),
    /** A typical image of a dense region that no request covers yet: its label moves a class mean where it helps. */
    TYPICAL("typical"),
    /** Its neighbourhood holds the most recent images that no request is near: its label covers the most. */
    COVERING("covering");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    @JsonValue
    public String code() {
      return code;
    }
  }

  public LabelRequest {
    if (imageId == null || imageId.isEmpty()) {
      throw new IllegalArgumentException("a label request needs an image id");
    }
    if (!Double.isFinite(score) || reason == null || detail == null || modelVersion < 1 || requestTime < 0) {
      throw new IllegalArgumentException("label request " + imageId
          + ": a finite score, a reason, its detail, model version >= 1 and request time >= 0");
    }
    if (margin != null && !(margin >= 0 && margin <= 2)) {
      throw new IllegalArgumentException("label request " + imageId + ": margin must be in [0, 2]");
    }
    if ((answeredAs == null) != (answerTime == null) || answeredAs != null && answeredAs.isBlank()) {
      throw new IllegalArgumentException("label request " + imageId + ": an answer has a class and a time");
    }
  }

  public boolean open() {
    return answeredAs == null;
  }

  /** The same request, answered with {@code className} at {@code time}. */
  public LabelRequest answered(String className, long time) {
    return new LabelRequest(imageId, score, reason, detail, predictedClass, runnerUp, margin, modelId, modelVersion,
        requestTime, className, time);
  }
}
