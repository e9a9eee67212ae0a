package io.semistream.training;

import ai.djl.Device;
import io.semistream.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Measures the online trainer's speed on real images: image passes per second over a number of steps. */
public final class TrainingThroughput {
  /**
   * Steps, image passes and the time they took (after warm-up steps), and the mean share of unlabelled images
   * confident enough to be pseudo-labelled (only their strong views take part in the backward pass, so the cost
   * of a step depends on it).
   */
  public record Result(int steps, long imagePasses, double seconds, double meanMaskRate) {
    public double passesPerSecond() {
      return imagePasses / seconds;
    }
  }

  private TrainingThroughput() {
  }

  /** {@code warmup} steps first (not measured), then {@code steps} measured ones. */
  public static Result measure(Path version, Device device, Dataset data, OnlineTrainer.Options options, int warmup,
      int steps) throws IOException {
    LabelledReservoir labelled = new LabelledReservoir(500, options.seed());
    RecentImages recent = new RecentImages(5_000);
    Map<String, Integer> classIndex = new HashMap<>();
    // A shuffled sample: the data sets are sorted by class, and the first images alone are one class, on which
    // every unlabelled image is pseudo-labelled at once (the bench measured that until 2026-11-30).
    int[] order = data.shuffledIndices(options.seed());
    for (int k = 0; k < Math.min(5_000, order.length); k++) {
      int i = order[k];
      recent.add(data.imageAsFloats(i));
      if (k < 1_000) {
        String c = data.className(i);
        labelled.add("bench-" + i, c, data.imageAsFloats(i));
        classIndex.putIfAbsent(c, classIndex.size());
      }
    }
    try (OnlineTrainer trainer = OnlineTrainer.startFrom(version, device, options)) {
      for (int i = 0; i < warmup; i++) {
        trainer.step(labelled, recent, classIndex);
      }
      long passes = 0;
      double masked = 0;
      long start = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        OnlineTrainer.Step step = trainer.step(labelled, recent, classIndex);
        passes += step.imagePasses();
        masked += step.maskRate();
      }
      return new Result(steps, passes, (System.nanoTime() - start) / 1e9, masked / steps);
    }
  }
}
