package io.semistream.training;

/**
 * What training reports while it runs; the CLI renders it as a progress bar, services as metrics or logs.
 * Training never writes to a terminal itself.
 */
public interface TrainingProgress {
  /** One line about what is happening (which model, why training starts, where it was saved). */
  void message(String text);

  /** After every batch: epoch (1-based) of epochs, batch (1-based) of batches, that batch's loss. */
  void batch(int epoch, int epochs, int batch, int batches, float loss);

  /** Called once when a run ends, after the last batch. */
  default void finished() {
  }
}
