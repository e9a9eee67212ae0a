package io.semistream.training;

import ai.djl.Device;
import io.semistream.config.SemistreamConfig;
import io.semistream.data.Dataset;
import io.semistream.data.DatasetLoader;
import io.semistream.data.DatasetName;
import io.semistream.model.ModelStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the newest model version, or (first run on a fresh machine) trains one briefly on Fashion-MNIST so that
 * the main job works without any manual step. On 2 cores: 1 epoch over 20,000 images takes about 20 s.
 */
public final class ModelBootstrap {
  public static final String MODEL_ID = "conv-ae-64";

  private ModelBootstrap() {
  }

  public static Path latestOrTrain(SemistreamConfig config, Device device, TrainingProgress progress)
      throws IOException {
    ModelStore store = new ModelStore(config.model().dir());
    Optional<Path> latest = store.serving();
    if (latest.isPresent()) {
      progress.message("model: " + latest.get() + " (the serving version)");
      return latest.get();
    }
    progress.message(String.format("model: none in %s yet: training a first one (%d epoch(s), %d Fashion-MNIST images)",
        store.root(), config.model().bootstrapEpochs(), config.model().bootstrapImages()));
    Dataset fashion = new DatasetLoader(config.dataDir()).load(DatasetName.FASHION_MNIST);
    List<float[]> images = TrainingImages.fromDataset(fashion, config.model().bootstrapImages(), Set.of(), 1);
    return train(images, config.model().bootstrapEpochs(), 128, 1, "fashion-mnist (bootstrap)", store, device,
        progress);
  }

  public static Path train(List<float[]> images, int epochs, int batchSize, long seed, String trainedOn,
      ModelStore store, Device device, TrainingProgress progress) throws IOException {
    long start = System.currentTimeMillis();
    float[] lastLoss = new float[1];
    Path dir = new AutoencoderTrainer(device).train(images,
        new AutoencoderTrainer.Options(MODEL_ID, epochs, batchSize, 1e-3f, seed, trainedOn), store,
        (epoch, batch, batches, loss) -> {
          lastLoss[0] = loss;
          progress.batch(epoch, epochs, batch, batches, loss);
        });
    progress.finished();
    progress.message(String.format("model: trained %s in %.1f s (final batch loss %.4f)", dir,
        (System.currentTimeMillis() - start) / 1000.0, lastLoss[0]));
    return dir;
  }
}
