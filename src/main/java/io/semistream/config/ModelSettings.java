package io.semistream.config;

import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Where versioned models live, and how a first model is trained when there is none. */
public record ModelSettings(Path dir, int bootstrapEpochs, int bootstrapImages) {
  public static final String DIR = "model.dir";
  public static final String BOOTSTRAP_EPOCHS = "model.bootstrap.epochs";
  public static final String BOOTSTRAP_IMAGES = "model.bootstrap.images";

  public ModelSettings {
    if (dir == null) {
      throw new IllegalArgumentException("model dir must not be null");
    }
    if (bootstrapEpochs < 1 || bootstrapImages < 1) {
      throw new IllegalArgumentException("bootstrap epochs and images must be positive");
    }
  }

  static void define(ConfigDef def) {
    def.define(DIR, Type.STRING, "models/conv-ae-64", Importance.HIGH,
            "Directory of versioned autoencoder models (v1/, v2/, ...); the newest version is served.")
        .define(BOOTSTRAP_EPOCHS, Type.INT, 1, Range.between(1, 100), Importance.LOW,
            "When the main job finds no model, it trains one for this many epochs first.")
        .define(BOOTSTRAP_IMAGES, Type.INT, 20_000, Range.between(1_000, 70_000), Importance.LOW,
            "Number of Fashion-MNIST images that bootstrap training uses.");
  }

  static ModelSettings read(ParsedValues v) {
    return new ModelSettings(v.path(DIR), v.integer(BOOTSTRAP_EPOCHS), v.integer(BOOTSTRAP_IMAGES));
  }

  public ModelSettings withDir(Path newDir) {
    return new ModelSettings(newDir, bootstrapEpochs, bootstrapImages);
  }
}
