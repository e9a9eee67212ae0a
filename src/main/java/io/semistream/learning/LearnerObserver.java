package io.semistream.learning;

import io.semistream.records.Prediction;
import io.semistream.records.Prototype;
import io.semistream.records.RejectReason;
import io.semistream.topics.TopicId;

import java.util.Collection;

/** What the learner reports as it works (metrics); a no-op by default so the topology stays a pure build. */
public interface LearnerObserver {
  LearnerObserver NONE = new LearnerObserver() { };

  default void labelReceived() {
  }

  /** A task asked Kafka Streams for a commit before the commit interval (the CPUs were idle enough). */
  default void earlyCommitRequested() {
  }

  /**
   * A valid-keyed record of {@code input} ("embeddings" or "labels") arrived already on its home partition
   * ({@code home}) or takes the re-keying hop through the learner's internal topic.
   */
  default void inputPlaced(String input, boolean home) {
  }

  /** A label, embedding or delta went to the dead-letter topic for this reason. */
  default void deadLettered(RejectReason reason) {
  }

  /**
   * A record on {@code topic}, one of the compacted topics the learner reads into a global store (prototypes,
   * exemplars, zero-shot prototypes, class candidates), was skipped: not a record this learner can use (bad
   * JSON, another dimension, non-finite values). Nothing can be dead-lettered from a global store, so it is
   * counted here.
   */
  default void globalRecordSkipped(TopicId topic) {
  }

  /** An entry of state store {@code store} could not be decoded (junk written to its changelog) and was ignored. */
  default void storeEntryUnreadable(String store) {
  }

  /** A prediction left for {@code predictions}; {@code latencyMs}: image event time to now. */
  default void predictionEmitted(Prediction prediction, long latencyMs, boolean correction) {
  }

  /** {@code noveltyView}: the score was taken in the novelty view's space (else in the serving encoder's). */
  default void anomalyScored(double score, double threshold, boolean flagged, boolean noveltyView) {
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
