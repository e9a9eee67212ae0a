package io.semistream.training;

import io.semistream.model.ModelDescriptor;

import io.semistream.model.ConvAutoencoder;
import io.semistream.model.DjlEngine;
import io.semistream.model.ModelStore;
import io.semistream.model.ReconstructionLoss;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * Trains the {@link ConvAutoencoder} on images in [0, 1] (Adam, reconstruction BCE) and saves a new version
 * directory in a {@link ModelStore}. Seeded: the same seed, data and thread count give the same model.
 */
public final class AutoencoderTrainer {
  /** Options of one training run. */
  public record Options(String modelId, int epochs, int batchSize, float learningRate, long seed, String trainedOn) {
    public Options {
      if (epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
        throw new IllegalArgumentException("epochs, batch size and learning rate must be positive");
      }
    }
  }

  /** Progress callback: called after every batch with (epoch, batches done in epoch, batches per epoch, loss). */
  public interface Progress {
    void onBatch(int epoch, int batch, int batches, float loss);
  }

  private final Device device;

  public AutoencoderTrainer(Device device) {
    this.device = device;
  }

  /** Trains on {@code images} (each side×side floats in [0, 1]) and returns the saved version directory. */
  public Path train(List<float[]> images, Options options, ModelStore store, Progress progress) throws IOException {
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no training images");
    }
    int side = ConvAutoencoder.SIDE;
    int pixels = side * side;
    Engine.getEngine(DjlEngine.ENGINE).setRandomSeed((int) options.seed());
    long start = System.currentTimeMillis();
    float lastEpochLoss = Float.NaN;
    Random random = new Random(options.seed());
    int[] order = new int[images.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    try (Model model = Model.newInstance(options.modelId(), device, DjlEngine.ENGINE)) {
      model.setBlock(new ConvAutoencoder());
      DefaultTrainingConfig config = new DefaultTrainingConfig(new ReconstructionLoss())
          .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(options.learningRate())).build())
          .optDevices(new Device[] {device});
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(options.batchSize(), 1, side, side));
        int batches = (images.size() + options.batchSize() - 1) / options.batchSize();
        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
          shuffle(order, random);
          double sum = 0;
          for (int b = 0; b < batches; b++) {
            int from = b * options.batchSize();
            int to = Math.min(images.size(), from + options.batchSize());
            float[] flat = new float[(to - from) * pixels];
            for (int i = from; i < to; i++) {
              System.arraycopy(images.get(order[i]), 0, flat, (i - from) * pixels, pixels);
            }
            float loss;
            // A sub-manager per batch: arrays attached to the long-lived trainer manager are never freed.
            try (NDManager batchManager = trainer.getManager().newSubManager()) {
              NDArray x = batchManager.create(flat, new Shape(to - from, 1, side, side));
              try (GradientCollector collector = trainer.newGradientCollector()) {
                NDList predictions = trainer.forward(new NDList(x));
                NDArray lossValue = trainer.getLoss().evaluate(new NDList(x), predictions);
                collector.backward(lossValue);
                loss = lossValue.getFloat();
              }
              trainer.step();
            }
            sum += loss;
            progress.onBatch(epoch, b + 1, batches, loss);
          }
          lastEpochLoss = (float) (sum / batches);
        }
      }
      int version = store.nextVersion();
      Path dir = store.versionDir(version);
      Files.createDirectories(dir);
      model.setProperty("Epoch", Integer.toString(options.epochs()));
      model.save(dir, options.modelId());
      ModelStore.writeDescriptor(dir, new ModelDescriptor(options.modelId(), version,
          ConvAutoencoder.class.getSimpleName(), side, ConvAutoencoder.EMBEDDING_DIM, options.epochs(),
          options.seed(), options.trainedOn(), images.size(), lastEpochLoss,
          System.currentTimeMillis() - start, Instant.now().toString(), 0, 0, Double.NaN));
      return dir;
    }
  }

  private static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** A no-op progress, for tests and callers that report elsewhere. */
  public static Progress quiet() {
    return (epoch, batch, batches, loss) -> { };
  }
}
