package io.semistream.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void shouldWritePlainLinesWithoutCarriageReturnsWhenThereIsNoConsole() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "replay", "images", 1000,
        false);
    for (int i = 1; i <= 1000; i++) {
      bar.update(i, "3 labels");
    }
    bar.update(1000, "3 labels");
    bar.finish();
    String log = bytes.toString(StandardCharsets.UTF_8);
    assertFalse(log.contains("\r"), log);
    assertEquals(1, log.lines().count(), "one line at the end, none in between (well under 5 s): " + log);
    assertTrue(log.startsWith("replay: 1000/1000 images, "), log);
    assertTrue(log.contains(" images/s, 3 labels"), "the rate says what per second: " + log);
  }

  @Test
  void shouldRedrawOneLineInPlaceOnAConsole() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "train epoch 1/2",
        "batches", 10, true);
    bar.update(1, "loss 0.5");
    bar.update(10, "loss 0.2");
    bar.finish();
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.startsWith("\rtrain epoch 1/2 [###..."), out);
    assertTrue(out.contains("\rtrain epoch 1/2 [##############################] 10/10 batches, "), out);
    assertTrue(out.contains(" batches/s, loss 0.2"), out);
    assertTrue(out.endsWith(System.lineSeparator()), out);
  }
}
