package io.semistream.learning;

/** The learner's state stores, named once: the topology, its processors and the query API all refer here. */
public final class LearnerStores {
  /** Per image: embedding, true or waiting label, contribution to a prototype, last prediction (changelogged). */
  public static final String IMAGES = "learner-images";
  /** Per task: the recent anomaly scores behind the adaptive threshold (changelogged). */
  public static final String ANOMALY_WINDOW = "learner-anomaly-window";
  /** Per task: the self-training gate's decayed counts (changelogged). */
  public static final String SELF_TRAINING_GATE = "learner-selftraining-gate";
  /** Per task: a ring of the latest anomalies, for GET /anomalies (changelogged). */
  public static final String RECENT_ANOMALIES = "learner-recent-anomalies";
  /** Per class: the exact sums behind a prototype, owned by the aggregator (changelogged). */
  public static final String PROTOTYPE_SUMS = "learner-prototype-sums";
  /** Global: every prototype, fed by the compacted prototypes topic on every instance. */
  public static final String PROTOTYPES = "learner-prototypes";
  /** Global: every truly labelled image's class and embedding (exemplars), read whole by every instance. */
  public static final String EXEMPLARS = "learner-exemplars";
  /** Global: the synthesized prototypes of classes known only by their semantic vector (zero-shot-prototypes). */
  public static final String ZERO_SHOT_PROTOTYPES = "learner-zero-shot-prototypes";
  /** Global: the class candidates found by the discovery service (class-candidates); named ones seed a class. */
  public static final String CLASS_CANDIDATES = "learner-class-candidates";

  private LearnerStores() {
  }
}
