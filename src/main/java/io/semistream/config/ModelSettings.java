package io.semistream.config;

import java.nio.file.Path;

/** Where versioned models live, and how a first model is trained when there is none. */
public record ModelSettings(Path dir, int bootstrapEpochs, int bootstrapImages) {
  public ModelSettings {
    if (dir == null) {
      throw new IllegalArgumentException("model dir must not be null");
    }
    if (bootstrapEpochs < 1 || bootstrapImages < 1) {
      throw new IllegalArgumentException("bootstrap epochs and images must be positive");
    }
  }
}
