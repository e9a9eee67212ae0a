package io.semistream.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
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

  /**
   * What the decoder draws for each embedding: images {@code side × side}, row-major, in [0, 1]. It shows what a
   * point of the embedding space (a class prototype, a mean) looks like to this encoder version. Every native
   * array lives in a sub-manager closed before returning; synchronized because the caller's threads share the
   * weights.
   */
  public synchronized float[][] decode(float[][] embeddings) {
    if (embeddings.length == 0) {
      return new float[0][];
    }
    int dim = embeddings[0].length;
    float[] flat = new float[embeddings.length * dim];
    for (int i = 0; i < embeddings.length; i++) {
      if (embeddings[i].length != dim) {
        throw new IllegalArgumentException("embedding " + i + " has " + embeddings[i].length + " values, expected "
            + dim);
      }
      System.arraycopy(embeddings[i], 0, flat, i * dim, dim);
    }
    DjlEngine.disableGradientsOnThisThread();
    try (NDManager m = model.getNDManager().newSubManager(device)) {
      NDArray logits = ((ConvAutoencoder) model.getBlock()).decode(new ParameterStore(m, false),
          m.create(flat, new Shape(embeddings.length, dim)), false, null);
      return rows(Activation.sigmoid(logits).toFloatArray(), embeddings.length);
    }
  }

  /**
   * The encoder alone: one embedding per image (same input layout as {@link #newPredictor()}), without the decoder
   * pass and reconstruction error a predictor also computes. The novelty view needs only this, so a second encoder
   * version costs the service about half a forward pass per image. Synchronized like {@link #decode}.
   */
  public synchronized float[][] encode(float[][] images) {
    if (images.length == 0) {
      return new float[0][];
    }
    DjlEngine.disableGradientsOnThisThread();
    try (NDManager m = model.getNDManager().newSubManager(device)) {
      return rows(((ConvAutoencoder) model.getBlock()).encode(new ParameterStore(m, false), imageBatch(m, images),
          false, null).toFloatArray(), images.length);
    }
  }

  /** The autoencoder's reconstruction of each image (same layout as the input, values in [0, 1]). */
  public synchronized float[][] reconstruct(float[][] images) {
    if (images.length == 0) {
      return new float[0][];
    }
    DjlEngine.disableGradientsOnThisThread();
    try (NDManager m = model.getNDManager().newSubManager(device)) {
      NDList out = model.getBlock().forward(new ParameterStore(m, false), new NDList(imageBatch(m, images)), false);
      return rows(Activation.sigmoid(out.get(0)).toFloatArray(), images.length);
    }
  }

  /** Images (row-major, {@code side × side} each) as one N×1×side×side array of {@code m}. */
  private NDArray imageBatch(NDManager m, float[][] images) {
    int side = descriptor.inputSide();
    int pixels = side * side;
    float[] flat = new float[images.length * pixels];
    for (int i = 0; i < images.length; i++) {
      if (images[i].length != pixels) {
        throw new IllegalArgumentException("image " + i + " has " + images[i].length + " values, expected " + pixels);
      }
      System.arraycopy(images[i], 0, flat, i * pixels, pixels);
    }
    return m.create(flat, new Shape(images.length, 1, side, side));
  }

  private static float[][] rows(float[] flat, int n) {
    int width = flat.length / n;
    float[][] out = new float[n][width];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * width, out[i], 0, width);
    }
    return out;
  }

  @Override
  public void close() {
    model.close();
  }
}
