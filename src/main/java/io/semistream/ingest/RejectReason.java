package io.semistream.ingest;

/** Why a record went to the dead-letter topic: a bounded set of codes (safe as a metric tag). */
public enum RejectReason {
  EMPTY_IMAGE("empty-image"),
  OVERSIZED_IMAGE("oversized-image"),
  UNDECODABLE_IMAGE("undecodable-image"),
  IMAGE_TOO_LARGE("image-too-large"),
  MISSING_KEY("missing-key"),
  NON_FINITE_EMBEDDING("non-finite-embedding"),
  MALFORMED_LABEL("malformed-label"),
  MALFORMED_EMBEDDING("malformed-embedding"),
  ORPHAN_LABEL("orphan-label");

  private final String code;

  RejectReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
