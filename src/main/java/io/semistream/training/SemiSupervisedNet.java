package io.semistream.training;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.semistream.model.ConvAutoencoder;

/**
 * What the online trainer optimises: the served autoencoder plus a cosine class head on its embedding. Forward
 * gives {@code [reconstruction logits, embedding, class logits]}. Only the autoencoder is saved as a model
 * version (the embedding service serves it unchanged); the head is a training device, re-made when classes
 * are added.
 */
final class SemiSupervisedNet extends AbstractBlock {
  private final ConvAutoencoder autoencoder;
  private final CosineHead head;

  SemiSupervisedNet(ConvAutoencoder autoencoder, int classes) {
    super((byte) 1);
    this.autoencoder = addChildBlock("autoencoder", autoencoder);
    this.head = addChildBlock("head", new CosineHead(classes));
  }

  ConvAutoencoder autoencoder() {
    return autoencoder;
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDList ae = autoencoder.forward(store, inputs, training, params);
    NDList logits = head.forward(store, new NDList(ae.get(1)), training, params);
    return new NDList(ae.get(0), ae.get(1), logits.singletonOrThrow());
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] ae = autoencoder.getOutputShapes(inputShapes);
    return new Shape[] {ae[0], ae[1], head.getOutputShapes(new Shape[] {ae[1]})[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    autoencoder.initialize(manager, dataType, inputShapes);
    head.initialize(manager, dataType, autoencoder.getOutputShapes(inputShapes)[1]);
  }
}
