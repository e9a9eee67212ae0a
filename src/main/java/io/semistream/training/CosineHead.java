package io.semistream.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A class head that scores an embedding by its cosine similarity to one learned vector per class, times a fixed
 * scale: {@code s · ê · ŵ_c}. The learner classifies by cosine to class means, so training through this head
 * shapes the embedding for exactly that rule (a linear head would also reward the embedding's norm, which the
 * learner ignores). The scale turns cosines in [-1, 1] into logits sharp enough for cross-entropy.
 */
final class CosineHead extends AbstractBlock {
  static final float SCALE = 10f;
  private final int classes;
  private final Parameter weight;

  CosineHead(int classes) {
    super((byte) 1);
    this.classes = classes;
    this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build());
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray w = store.getValue(weight, x.getDevice(), training);
    NDArray xn = x.div(x.norm(new int[] {1}, true).add(1e-6f));
    NDArray wn = w.div(w.norm(new int[] {1}, true).add(1e-6f));
    return new NDList(xn.matMul(wn.transpose()).mul(SCALE));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    weight.setShape(new Shape(classes, inputShapes[0].get(1)));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
  }
}
