package io.semistream.cli;

import io.semistream.terminal.ProgressBar;

import io.semistream.training.TrainingProgress;
import java.io.PrintStream;

/** Renders training progress on a terminal: one progress bar per epoch, messages as lines. */
final class TerminalProgress implements TrainingProgress {
  private final PrintStream out;
  private ProgressBar bar;

  TerminalProgress(PrintStream out) {
    this.out = out;
  }

  @Override
  public void message(String text) {
    out.println(text);
  }

  @Override
  public void batch(int epoch, int epochs, int batch, int batches, float loss) {
    if (batch == 1) {
      finished();
      bar = ProgressBar.forOutput(out, "train epoch " + epoch + "/" + epochs, "batches", batches);
    }
    bar.update(batch, String.format("loss %.4f", loss));
  }

  @Override
  public void finished() {
    if (bar != null) {
      bar.finish();
      bar = null;
    }
  }
}
