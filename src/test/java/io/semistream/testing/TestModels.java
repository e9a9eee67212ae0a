package io.semistream.testing;

import ai.djl.Device;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.training.AutoencoderTrainer;
import io.semistream.model.DjlEngine;
import io.semistream.model.ModelStore;
import io.semistream.training.TrainingImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * A small real model, trained once per test JVM (about 12 s on 2 cores): most tests need weights, not quality,
 * but the monitoring IT needs a never-seen class to stand out, which one epoch on 2,048 images did not give
 * reliably.
 */
public final class TestModels {
  private static Path store;

  private TestModels() {
  }

  /**
   * The model store directory (holding v1/), trained once per build and kept in target/: failsafe runs each IT
   * class in its own JVM, and training it again in every one cost 20–30 s each. Written to a temporary folder and
   * moved into place whole, so a half-trained model is never picked up. Tests that write versions into a store
   * copy this one first ({@code ModelStore.importVersion}).
   */
  public static synchronized Path tinyStore() {
    if (store == null) {
      try {
        Path dir = ProjectPaths.root().resolve("target").resolve("test-model-tiny");
        if (!Files.isRegularFile(dir.resolve("v1").resolve(ModelStore.DESCRIPTOR))) {
          DjlEngine.start(2);
          Dataset fashion = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
          Path tmp = Files.createTempDirectory(ProjectPaths.root().resolve("target"), "test-model-");
          new AutoencoderTrainer(Device.cpu()).train(TrainingImages.fromDataset(fashion, 6_144, Set.of(), 1),
              new AutoencoderTrainer.Options("conv-ae-64", 2, 128, 1e-3f, 1, "fashion-mnist (test)"),
              new ModelStore(tmp), AutoencoderTrainer.quiet());
          try {
            Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          } catch (IOException lost) {
            // Another test JVM moved its model into place first (failsafe may run IT classes side by side): use
            // that one; ours is the same recipe.
            if (!Files.isRegularFile(dir.resolve("v1").resolve(ModelStore.DESCRIPTOR))) {
              throw lost;
            }
            io.semistream.evaluation.WorkDirectory.delete(tmp);
          }
        }
        store = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return store;
  }

  public static Path tinyVersionDir() {
    return tinyStore().resolve("v1");
  }
}
