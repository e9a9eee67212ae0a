package io.semistream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PaddingSafeSequentialBlockTest {
  private static final Shape INPUT = new Shape(64, 32, 28, 28);

  @BeforeAll
  static void startEngine() {
    DjlEngine.start(2);
  }

  private static SequentialBlock lastDecoderStage(SequentialBlock block) {
    return block.add(Activation::relu).add(Conv2d.builder().setKernelShape(new Shape(3, 3))
        .optPadding(new Shape(1, 1)).setFilters(1).build());
  }

  /**
   * The block's output and, after backward from {@code sum(out * out)}, the input's and the weight's gradients, in
   * single precision.
   */
  private static float[][] trainingPass(SequentialBlock block, NDManager manager, NDArray input) {
    NDArray x = input.duplicate();
    x.setRequiresGradient(true);
    ParameterStore store = new ParameterStore(manager, false);
    try (GradientCollector collector = Engine.getEngine(DjlEngine.ENGINE).newGradientCollector()) {
      NDArray out = block.forward(store, new NDList(x), true).singletonOrThrow();
      collector.backward(out.mul(out).sum());
      NDArray weight = block.getChildren().get(1).getValue().getParameters().get("weight").getArray();
      return new float[][] {floats(out), floats(x.getGradient()), floats(weight.getGradient())};
    }
  }

  private static float[] floats(NDArray a) {
    return a.toType(DataType.FLOAT32, false).toFloatArray();
  }

  @Test
  void shouldGiveTheOutputAndGradientsOfTheSameBlockComputedInDoublePrecision() {
    // The reference runs in float64, which PyTorch computes without oneDNN, so neither side reads a padded layout.
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), DjlEngine.ENGINE)) {
      SequentialBlock reference = lastDecoderStage(new SequentialBlock());
      SequentialBlock safe = lastDecoderStage(new PaddingSafeSequentialBlock());
      reference.initialize(manager, DataType.FLOAT64, INPUT);
      safe.initialize(manager, DataType.FLOAT32, INPUT);
      var weights = safe.getParameters();
      for (int i = 0; i < weights.size(); i++) {
        NDArray value = weights.get(i).getValue().getArray();
        reference.getParameters().get(i).getValue().getArray().set(value.toType(DataType.FLOAT64, false)
            .toDoubleArray());
      }
      NDArray input = manager.randomUniform(-1f, 1f, INPUT);

      float[][] expected = trainingPass(reference, manager, input.toType(DataType.FLOAT64, false));
      float[][] actual = trainingPass(safe, manager, input);

      assertEquals(64 * 28 * 28, actual[0].length);
      for (int part = 0; part < expected.length; part++) {
        assertEquals(expected[part].length, actual[part].length);
        for (int i = 0; i < actual[part].length; i++) {
          // float32 against float64: a relative bound, since the weight gradient sums 50,176 products.
          float tolerance = 1e-3f + 1e-5f * Math.abs(expected[part][i]);
          assertEquals(expected[part][i], actual[part][i], tolerance, "part " + part + ", element " + i);
        }
      }
    }
  }

  @Test
  void shouldGiveFiniteInputGradientsThroughAOneFilterConvolutionPassAfterPass() {
    // On an AVX-512 EPYC the plain block gave NaN input gradients in about 1 of 20 of these passes (see the class).
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), DjlEngine.ENGINE)) {
      SequentialBlock safe = lastDecoderStage(new PaddingSafeSequentialBlock());
      safe.initialize(manager, DataType.FLOAT32, INPUT);
      for (int pass = 0; pass < 60; pass++) {
        try (NDManager step = manager.newSubManager()) {
          float[][] result = trainingPass(safe, step, step.randomUniform(-1f, 1f, INPUT));
          for (float g : result[1]) {
            assertFalse(Float.isNaN(g) || Float.isInfinite(g), "pass " + pass);
          }
        }
      }
    }
  }
}
