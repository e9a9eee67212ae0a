package io.semistream.learning;

import java.util.Collection;

/** What the learner reports as it works (metrics); a no-op by default so the topology stays a pure build. */
public interface LearnerObserver {
  LearnerObserver NONE = new LearnerObserver() { };

  default void labelReceived() {
  }

  /** A label or embedding went to the dead-letter topic with this reason code. */
  default void deadLettered(String reason) {
  }

  /** A prediction left for {@code predictions}; {@code latencyMs}: image event time to now. */
  default void predictionEmitted(Prediction prediction, long latencyMs, boolean correction) {
  }

  default void anomalyScored(double score, double threshold, boolean flagged) {
  }

  default void backlog(int partition, long size) {
  }

  default void prototypes(Collection<Prototype> prototypes, double maxDrift) {
  }

  /**
   * Prequential accuracy on arriving true labels (decayed): of the blended prototypes, of the labels-only ones,
   * and whether the self-training gate is open.
   */
  default void labelAccuracy(double blended, double labelsOnly, boolean gateOpen) {
  }
}
