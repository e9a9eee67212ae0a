package io.semistream.training;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/**
 * Checks a block's gradients before an update and clears them when any is not finite. A loss can be finite while
 * a gradient is not (an infinite slope times zero is NaN); one such update puts NaN into the weights, and from
 * there into every embedding the version serves (seen with the cosine head: README, "The online trainer").
 * Clearing needs care: DJL's {@code zeroGradients} subtracts a gradient from itself, and NaN
 * minus NaN is NaN, so a poisoned gradient would survive every later "zeroing"; here every element is set to 0.
 */
final class GradientGuard {
  private GradientGuard() {
  }

  /** True when every gradient of {@code block} is finite; otherwise all its gradients are set to zero. */
  static boolean finiteOrCleared(Block block) {
    boolean finite = true;
    for (Parameter p : block.getParameters().values()) {
      NDArray weight = p.getArray();
      if (weight == null || !weight.hasGradient()) {
        continue;
      }
      try (NDArray gradient = weight.getGradient(); NDArray sum = gradient.sum()) {
        // The sum is NaN or infinite when any element is (inf + -inf is NaN), and finite otherwise.
        finite = Float.isFinite(sum.getFloat());
      }
      if (!finite) {
        break;
      }
    }
    if (!finite) {
      for (Parameter p : block.getParameters().values()) {
        NDArray weight = p.getArray();
        if (weight != null && weight.hasGradient()) {
          try (NDArray gradient = weight.getGradient(); NDArray nonZero = gradient.neq(0f)) {
            gradient.set(nonZero, 0f);
          }
        }
      }
    }
    return finite;
  }
}
