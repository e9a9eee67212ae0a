package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.semistream.model.DjlEngine;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The gradient guard on the real engine: a finite loss with a NaN gradient is caught and the gradients cleared. */
class GradientGuardTest {
  private static Linear backward(NDManager m, Function<NDArray, NDArray> loss) {
    Linear block = Linear.builder().setUnits(3).build();
    block.initialize(m, DataType.FLOAT32, new Shape(2, 4));
    block.getParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
    try (GradientCollector collector = Engine.getEngine(DjlEngine.ENGINE).newGradientCollector()) {
      NDArray out = block.forward(new ParameterStore(m, false), new NDList(m.ones(new Shape(2, 4))), true)
          .singletonOrThrow();
      NDArray value = loss.apply(out);
      assertTrue(Float.isFinite(value.getFloat()), "the loss itself is finite");
      collector.backward(value);
    }
    return block;
  }

  @Test
  void shouldCatchANanGradientBehindAFiniteLossAndClearEveryGradient() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), DjlEngine.ENGINE)) {
      // sqrt at 0 has an infinite slope; times the zero inside it, the chain rule gives NaN, the value 0.
      Linear block = backward(m, out -> out.mul(0f).sqrt().sum());

      assertFalse(GradientGuard.finiteOrCleared(block));

      for (var p : block.getParameters().values()) {
        float[] gradient = p.getArray().getGradient().toFloatArray();
        assertArrayEquals(new float[gradient.length], gradient, 0f, p.getName() + " cleared to zero");
      }
      assertTrue(GradientGuard.finiteOrCleared(block), "cleared gradients are finite");
    }
  }

  @Test
  void shouldLeaveFiniteGradientsAsTheyAre() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), DjlEngine.ENGINE)) {
      Linear block = backward(m, out -> out.square().sum());
      float[] before = block.getParameters().get("weight").getArray().getGradient().toFloatArray();

      assertTrue(GradientGuard.finiteOrCleared(block));

      float[] after = block.getParameters().get("weight").getArray().getGradient().toFloatArray();
      assertArrayEquals(before, after, 0f);
      float sum = 0;
      for (float v : after) {
        sum += Math.abs(v);
      }
      assertTrue(sum > 0, "a real gradient was there to keep");
    }
  }
}
