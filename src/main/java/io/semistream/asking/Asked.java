package io.semistream.asking;

import io.semistream.records.LabelRequest;

/**
 * A published request and the direction of its image: later requests keep their distance from it while it is
 * open, once it is answered, and once it was withdrawn unanswered (nobody could or would label that image, so its
 * near-duplicates are no better a question), and in the newest encoder's space once its image is re-embedded.
 *
 * @param unitVersion the encoder version {@code unit} belongs to (null in entries stored before it existed: the
 *     request's own)
 * @param withdrawnAt when it expired unanswered (null while open or once answered)
 */
record Asked(LabelRequest request, double[] unit, Integer unitVersion, Long withdrawnAt) {

  Asked(LabelRequest request, double[] unit) {
    this(request, unit, request.modelVersion(), null);
  }

  /** The encoder version of {@link #unit()}. */
  int version() {
    return unitVersion != null ? unitVersion : request.modelVersion();
  }

  /** Waiting for an answer: neither answered nor withdrawn. */
  boolean waiting() {
    return request.open() && withdrawnAt == null;
  }

  /** When it stopped waiting: answered or withdrawn (the request time while it waits). */
  long closedAt() {
    return withdrawnAt != null ? withdrawnAt : request.answerTime() != null ? request.answerTime()
        : request.requestTime();
  }

  Asked withdrawn(long time) {
    return new Asked(request, unit, unitVersion, time);
  }

  Asked answered(String className, long time) {
    return new Asked(request.answered(className, time), unit, unitVersion, withdrawnAt);
  }

  /** The same request with its image's direction under another encoder version. */
  Asked reembedded(double[] newUnit, int newVersion) {
    return new Asked(request, newUnit, newVersion, withdrawnAt);
  }
}
