package io.semistream.training;

import io.semistream.records.ModelVersion;

/** What the online trainer reports (bound to metrics by the runtime above; a no-op by default). */
public interface TrainerObserver {
  TrainerObserver NONE = new TrainerObserver() { };

  /** One training step and the images it passed through the network. */
  default void step(OnlineTrainer.Step step, long nanos) {
  }

  /** Reservoir sizes: labelled (training), held out (judging), recent unlabelled. */
  default void reservoirs(int labelled, int heldOut, int recent) {
  }

  /** The trainer's weights stopped being finite and it started again from the serving version. */
  default void restarted() {
  }

  /** The trainer waited {@code nanos} before a step because the pipeline was behind (trainer.yield.max.lag). */
  default void yielded(long nanos) {
  }

  /** A candidate was measured and promoted or rejected. */
  default void candidate(ModelVersion version) {
  }
}
