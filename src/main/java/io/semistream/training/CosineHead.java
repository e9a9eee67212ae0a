package io.semistream.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * A class head that scores an embedding by its cosine with one learned direction per class, times a fixed
 * scale: {@code logits = s · (x/|x|) · (W/|W|)ᵀ}. It trains the encoder for the rule the learner serves with
 * (nearest class mean by cosine): a linear head may separate classes by bias and length, which class means
 * cannot use. The norms are {@code sqrt(Σx² + ε)}, never {@code norm()}: the gradient of a plain norm at a zero
 * row is 0/0, which is how an earlier cosine head turned the encoder into NaN within ten steps.
 */
final class CosineHead extends AbstractBlock {
  private static final float EPSILON = 1e-6f;
  private final Parameter weight;
  private final int classes;
  private final float scale;

  CosineHead(int classes, float scale) {
    super((byte) 1);
    if (classes < 2 || !(scale > 0)) {
      throw new IllegalArgumentException("a cosine head needs >= 2 classes and a positive scale");
    }
    this.classes = classes;
    this.scale = scale;
    this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
        .optInitializer(new NormalInitializer(0.1f)).build());
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray w = store.getValue(weight, x.getDevice(), training);
    return new NDList(unit(x).matMul(unit(w).transpose()).mul(scale));
  }

  static NDArray unit(NDArray rows) {
    return rows.div(rows.square().sum(new int[] {1}, true).add(EPSILON).sqrt());
  }

  @Override
  public void prepare(Shape[] inputShapes) {
    weight.setShape(new Shape(classes, inputShapes[0].get(1)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
  }
}
