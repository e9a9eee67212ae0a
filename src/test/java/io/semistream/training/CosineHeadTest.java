package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.semistream.model.DjlEngine;
import org.junit.jupiter.api.Test;

/** The cosine head on the real engine: scale times the cosine, and finite gradients even at a zero embedding. */
class CosineHeadTest {
  @Test
  void shouldScoreScaleTimesTheCosineWithEachClassDirection() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), DjlEngine.ENGINE)) {
      CosineHead head = new CosineHead(3, 10f);
      head.initialize(m, DataType.FLOAT32, new Shape(2, 4));
      float[] w = head.getParameters().get("weight").getArray().toFloatArray();
      float[][] x = {{1, 2, 0, -1}, {0.5f, 0, 0, 3}};
      NDArray logits = head.forward(new ParameterStore(m, false), new NDList(m.create(x)), false)
          .singletonOrThrow();
      assertEquals(new Shape(2, 3), logits.getShape());
      float[] got = logits.toFloatArray();
      for (int i = 0; i < 2; i++) {
        for (int c = 0; c < 3; c++) {
          double dot = 0;
          double nx = 0;
          double nw = 0;
          for (int d = 0; d < 4; d++) {
            dot += x[i][d] * w[c * 4 + d];
            nx += x[i][d] * x[i][d];
            nw += w[c * 4 + d] * w[c * 4 + d];
          }
          // With the head's epsilon inside both norms: a randomly initialised row of small norm made the plain
          // cosine differ by more than the tolerance in one run in several.
          double eps = 1e-6;
          assertEquals(10 * dot / Math.sqrt((nx + eps) * (nw + eps)), got[i * 3 + c], 1e-4,
              "row " + i + ", class " + c);
        }
      }
    }
  }

  /** The earlier cosine head took a plain norm, whose gradient at a zero row is 0/0: NaN in ten steps. */
  @Test
  void shouldGiveFiniteGradientsForAZeroEmbedding() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), DjlEngine.ENGINE)) {
      NDArray x = m.zeros(new Shape(2, 4));
      x.setRequiresGradient(true);
      try (GradientCollector g = Engine.getEngine(DjlEngine.ENGINE).newGradientCollector()) {
        g.backward(CosineHead.unit(x).sum());
      }
      float[] grad = x.getGradient().toFloatArray();
      for (float v : grad) {
        assertTrue(Float.isFinite(v), "finite gradient: " + java.util.Arrays.toString(grad));
      }
      assertArrayEquals(new float[8], CosineHead.unit(m.zeros(new Shape(2, 4))).toFloatArray());
    }
  }
}
