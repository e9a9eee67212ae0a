package io.semistream.terminal;

import java.io.PrintStream;

/** A one-line terminal progress bar, redrawn at most every 200 ms. */
public final class ProgressBar {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private final String label;
  private final long total;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;

  public ProgressBar(PrintStream out, String label, long total) {
    this.out = out;
    this.label = label;
    this.total = Math.max(1, total);
  }

  public void update(long done, String extra) {
    long now = System.nanoTime();
    if (done < total && now - lastDrawNanos < 200_000_000L) {
      return;
    }
    lastDrawNanos = now;
    int filled = (int) (WIDTH * Math.min(done, total) / total);
    double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
    out.printf("\r%s [%s%s] %d/%d %.0f/s %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total,
        done / seconds, extra == null ? "" : extra);
    out.flush();
  }

  public void finish() {
    out.println();
  }
}
