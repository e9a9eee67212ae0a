package io.semistream.terminal;

import java.io.PrintStream;

/**
 * Progress of a long step. On a console: one line redrawn in place at most every 200 ms. Without one (output to
 * a log file or a pipe) carriage-return frames would pile up in the log, so it writes a plain line at most every
 * 5 s and one at the end.
 */
public final class ProgressBar {
  private static final int WIDTH = 30;
  private static final long CONSOLE_EVERY_NANOS = 200_000_000L;
  private static final long PLAIN_EVERY_NANOS = 5_000_000_000L;
  private final PrintStream out;
  private final String label;
  private final String unit;
  private final long total;
  private final boolean console;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;
  private boolean drewLast;

  /** @param unit what is counted, plural ("images", "batches"): the rate reads "images/s" */
  public ProgressBar(PrintStream out, String label, String unit, long total, boolean console) {
    this.out = out;
    this.label = label;
    this.unit = unit;
    this.total = Math.max(1, total);
    this.console = console;
    this.lastDrawNanos = console ? 0 : startNanos;
  }

  /** A bar on standard output's console when there is one, plain lines otherwise. */
  public static ProgressBar forOutput(PrintStream out, String label, String unit, long total) {
    return new ProgressBar(out, label, unit, total, System.console() != null);
  }

  public void update(long done, String extra) {
    long now = System.nanoTime();
    boolean last = done >= total;
    if ((last && drewLast) || (!last && now - lastDrawNanos < (console ? CONSOLE_EVERY_NANOS : PLAIN_EVERY_NANOS))) {
      return;
    }
    lastDrawNanos = now;
    drewLast = last;
    double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
    String counts = String.format("%d/%d %s, %.0f %s/s%s", done, total, unit, done / seconds, unit,
        extra == null || extra.isEmpty() ? "" : ", " + extra);
    if (console) {
      int filled = (int) (WIDTH * Math.min(done, total) / total);
      out.printf("\r%s [%s%s] %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled), counts);
    } else {
      out.printf("%s: %s%n", label, counts);
    }
    out.flush();
  }

  public void finish() {
    if (console) {
      out.println();
    }
  }
}
