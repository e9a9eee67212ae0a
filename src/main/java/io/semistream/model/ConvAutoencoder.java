package io.semistream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The convolutional autoencoder: the encoder maps a 1×28×28 image to a 64-d embedding, the decoder maps the
 * embedding back to 28×28 logits. One forward pass returns both {@code [logits, embedding]}, so the service
 * gets the embedding and the reconstruction error from a single batched call.
 *
 * <p>PyTorch on DJL 0.36 has no {@code Conv2dTranspose}: the decoder upsamples (nearest neighbour, via
 * {@code repeat} along H and W) and then convolves. It outputs logits, not probabilities, because
 * {@code sigmoidBinaryCrossEntropyLoss(fromSigmoid=true)} returns the negated loss on this engine.
 */
public final class ConvAutoencoder extends AbstractBlock {
  public static final int SIDE = 28;
  public static final int EMBEDDING_DIM = 64;
  private static final byte VERSION = 1;

  private final Block encoder;
  private final Block decoder;

  public ConvAutoencoder() {
    super(VERSION);
    encoder = addChildBlock("encoder", new SequentialBlock()
        .add(conv(32, 2)).add(Activation::relu)
        .add(conv(64, 2)).add(Activation::relu)
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(EMBEDDING_DIM).build()));
    // Padding-safe: its last convolution has one filter, whose training pass oneDNN can get wrong (see the class).
    decoder = addChildBlock("decoder", new PaddingSafeSequentialBlock()
        .add(Linear.builder().setUnits(64L * 7 * 7).build()).add(Activation::relu)
        .add(new LambdaBlock(list -> new NDList(list.singletonOrThrow().reshape(-1, 64, 7, 7)), "unflatten"))
        .add(upsample()).add(conv(32, 1)).add(Activation::relu)
        .add(upsample()).add(conv(1, 1)));
  }

  private static Conv2d conv(int filters, int stride) {
    return Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(stride, stride))
        .optPadding(new Shape(1, 1)).setFilters(filters).build();
  }

  private static LambdaBlock upsample() {
    return LambdaBlock.singleton(x -> x.repeat(2, 2).repeat(3, 2), "upsample2x");
  }

  /** The encoder alone: images (N×1×28×28) to embeddings (N×64). */
  public NDArray encode(ParameterStore store, NDArray images, boolean training, PairList<String, Object> params) {
    return encoder.forward(store, new NDList(images), training, params).singletonOrThrow();
  }

  /** The decoder alone: embeddings (N×64) to reconstruction logits (N×1×28×28). */
  public NDArray decode(ParameterStore store, NDArray embeddings, boolean training, PairList<String, Object> params) {
    return decoder.forward(store, new NDList(embeddings), training, params).singletonOrThrow();
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray embedding = encoder.forward(store, inputs, training, params).singletonOrThrow();
    NDArray logits = decoder.forward(store, new NDList(embedding), training, params).singletonOrThrow();
    return new NDList(logits, embedding);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long batch = inputShapes[0].get(0);
    return new Shape[] {new Shape(batch, 1, SIDE, SIDE), new Shape(batch, EMBEDDING_DIM)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    encoder.initialize(manager, dataType, inputShapes);
    decoder.initialize(manager, dataType, new Shape(inputShapes[0].get(0), EMBEDDING_DIM));
  }

  /**
   * Per-image reconstruction error: mean binary cross-entropy between the input in [0, 1] and the logits,
   * computed stably as {@code max(z,0) - z*x + log(1 + exp(-|z|))}. Returns shape (N).
   */
  public static NDArray reconstructionError(NDArray logits, NDArray input) {
    long n = logits.getShape().get(0);
    NDArray z = logits.reshape(n, -1);
    NDArray x = input.reshape(n, -1);
    NDArray bce = z.maximum(0f).sub(z.mul(x)).add(z.abs().neg().exp().add(1f).log());
    return bce.mean(new int[] {1});
  }
}
