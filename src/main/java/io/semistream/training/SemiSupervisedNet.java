package io.semistream.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.semistream.model.ConvAutoencoder;

/**
 * What the online trainer optimises: the served autoencoder plus a class head on its embedding (linear, the
 * measured recipe's head, or {@link CosineHead}, which trains for the learner's nearest-mean rule). Forward
 * gives {@code [reconstruction logits of the decoded rows, embedding, class logits]}: only the rows
 * {@link #decodeRows} names go through the decoder (the unlabelled weak views, the only ones with a reconstruction
 * loss), since the decoder costs about three times the encoder. Only the autoencoder is saved as a model
 * version (the embedding service serves it unchanged); the head is a training device, re-made when classes
 * are added.
 */
final class SemiSupervisedNet extends AbstractBlock {
  private final ConvAutoencoder autoencoder;
  private final Block head;
  private int decodeFrom;
  private int decodeTo = Integer.MAX_VALUE;

  SemiSupervisedNet(ConvAutoencoder autoencoder, int classes, OnlineTrainer.Head head, float cosineScale) {
    super((byte) 1);
    this.autoencoder = addChildBlock("autoencoder", autoencoder);
    this.head = addChildBlock("head", head == OnlineTrainer.Head.COSINE ? new CosineHead(classes, cosineScale)
        : Linear.builder().setUnits(classes).build());
  }

  ConvAutoencoder autoencoder() {
    return autoencoder;
  }

  /** The rows [from, to) of the next forward passes go through the decoder (the trainer is single-threaded). */
  void decodeRows(int from, int to) {
    decodeFrom = from;
    decodeTo = to;
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray embedding = autoencoder.encode(store, inputs.singletonOrThrow(), training, params);
    NDArray logits = head.forward(store, new NDList(embedding), training, params).singletonOrThrow();
    long n = embedding.getShape().get(0);
    int to = (int) Math.min(n, decodeTo);
    NDArray decoded = decodeFrom >= to ? embedding.getManager().zeros(new Shape(0, 1, ConvAutoencoder.SIDE,
        ConvAutoencoder.SIDE)) : autoencoder.decode(store, embedding.get(decodeFrom + ":" + to), training, params);
    return new NDList(decoded, embedding, logits);
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
