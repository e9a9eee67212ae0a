package io.semistream.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Holds one loaded autoencoder version (weights are shared). {@link #newPredictor()} gives a Predictor for
 * one thread: predictors are not thread-safe, so each worker owns one and closes it.
 */
public final class EmbeddingModel implements AutoCloseable {
  private final Model model;
  private final ModelDescriptor descriptor;
  private final Device device;
  private final Path versionDir;

  private EmbeddingModel(Model model, ModelDescriptor descriptor, Device device, Path versionDir) {
    this.model = model;
    this.descriptor = descriptor;
    this.device = device;
    this.versionDir = versionDir;
  }

  /** Loads {@code versionDir} (holding model.json and the weights) onto {@code device}. */
  public static EmbeddingModel load(Path versionDir, Device device) throws IOException {
    ModelDescriptor descriptor = ModelStore.readDescriptor(versionDir);
    if (!ConvAutoencoder.class.getSimpleName().equals(descriptor.architecture())) {
      throw new IOException("model " + versionDir + " has architecture " + descriptor.architecture()
          + "; this build serves " + ConvAutoencoder.class.getSimpleName());
    }
    Model model = Model.newInstance(descriptor.id(), device, DjlEngine.ENGINE);
    try {
      model.setBlock(new ConvAutoencoder());
      model.load(versionDir, descriptor.id());
    } catch (MalformedModelException | IOException | RuntimeException e) {
      model.close();
      throw new IOException("cannot load model from " + versionDir + ": " + e.getMessage(), e);
    }
    return new EmbeddingModel(model, descriptor, device, versionDir);
  }

  public ModelDescriptor descriptor() {
    return descriptor;
  }

  /** The version directory it was loaded from (its parent is the model store). */
  public Path versionDir() {
    return versionDir;
  }

  public Device device() {
    return device;
  }

  public Predictor<float[][], List<ImageEmbedding>> newPredictor() {
    return model.newPredictor(new AutoencoderTranslator(descriptor.inputSide()), device);
  }

  @Override
  public void close() {
    model.close();
  }
}
