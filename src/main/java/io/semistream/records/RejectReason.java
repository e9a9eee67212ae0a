package io.semistream.records;

/** Why a record went to the dead-letter topic: a bounded set of codes (safe as a metric tag). */
public enum RejectReason {
  EMPTY_IMAGE("empty-image"),
  OVERSIZED_IMAGE("oversized-image"),
  UNDECODABLE_IMAGE("undecodable-image"),
  IMAGE_TOO_LARGE("image-too-large"),
  MISSING_KEY("missing-key"),
  /** A key that is not valid UTF-8: decoding it would merge distinct ids into one (U+FFFD), so it is refused. */
  INVALID_KEY("invalid-key"),
  NON_FINITE_EMBEDDING("non-finite-embedding"),
  MALFORMED_LABEL("malformed-label"),
  MALFORMED_EMBEDDING("malformed-embedding"),
  ORPHAN_LABEL("orphan-label"),
  /** A prototype delta on the internal deltas topic that is not one the learner wrote (bad JSON, dimension). */
  MALFORMED_DELTA("malformed-delta"),
  /** A class-semantics record that is not valid (bad JSON, NaN, a length other than the table's, key != class). */
  MALFORMED_SEMANTICS("malformed-semantics"),
  /** A record on the prototypes topic that the zero-shot service cannot use (bad JSON, key != class). */
  MALFORMED_PROTOTYPE("malformed-prototype"),
  /** A record on the anomalies topic that discovery cannot cluster (bad JSON, NaN or wrongly sized embedding). */
  MALFORMED_ANOMALY("malformed-anomaly");

  private final String code;

  RejectReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
