package io.semistream.training;

import ai.djl.Device;
import io.semistream.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Measures the online trainer's speed on real images: image passes per second over a number of steps. */
public final class TrainingThroughput {
  /** Steps, image passes and the time they took (after warm-up steps). */
  public record Result(int steps, long imagePasses, double seconds) {
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
    for (int i = 0; i < 5_000; i++) {
      recent.add(data.imageAsFloats(i));
      if (i < 1_000) {
        String c = data.classNames().get(data.label(i));
        labelled.add("bench-" + i, c, data.imageAsFloats(i));
        classIndex.putIfAbsent(c, classIndex.size());
      }
    }
    try (OnlineTrainer trainer = OnlineTrainer.startFrom(version, device, options)) {
      for (int i = 0; i < warmup; i++) {
        trainer.step(labelled, recent, classIndex);
      }
      long passes = 0;
      long start = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        passes += trainer.step(labelled, recent, classIndex).imagePasses();
      }
      return new Result(steps, passes, (System.nanoTime() - start) / 1e9);
    }
  }
}
