package io.semistream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Batch in, batch out, as plain Java arrays: {@code float[n][side*side]} images in [0, 1] become n
 * {@link ImageEmbedding}s. The whole batch is one forward pass. Every NDArray here belongs to the
 * predictor's per-call sub-manager, which DJL closes after {@code processOutput}, so native memory is
 * released batch by batch.
 */
public final class AutoencoderTranslator implements NoBatchifyTranslator<float[][], List<ImageEmbedding>> {
  private static final String INPUT = "input";
  private final int side;

  public AutoencoderTranslator(int side) {
    this.side = side;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, float[][] images) {
    int pixels = side * side;
    float[] flat = new float[images.length * pixels];
    for (int i = 0; i < images.length; i++) {
      if (images[i].length != pixels) {
        throw new IllegalArgumentException("image " + i + " has " + images[i].length + " values, expected " + pixels);
      }
      System.arraycopy(images[i], 0, flat, i * pixels, pixels);
    }
    NDArray input = ctx.getNDManager().create(flat, new Shape(images.length, 1, side, side));
    ctx.setAttachment(INPUT, input);
    return new NDList(input);
  }

  @Override
  public List<ImageEmbedding> processOutput(TranslatorContext ctx, NDList output) {
    NDArray input = (NDArray) ctx.getAttachment(INPUT);
    NDArray logits = output.get(0);
    NDArray embeddings = output.get(1);
    float[] errors = ConvAutoencoder.reconstructionError(logits, input).toFloatArray();
    int n = errors.length;
    int dim = (int) embeddings.getShape().get(1);
    float[] vectors = embeddings.toFloatArray();
    List<ImageEmbedding> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] v = new float[dim];
      System.arraycopy(vectors, i * dim, v, 0, dim);
      out.add(new ImageEmbedding(v, errors[i]));
    }
    return out;
  }
}
