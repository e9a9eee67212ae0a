package io.semistream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/** Training loss: the batch mean of {@link ConvAutoencoder#reconstructionError}; labels are the inputs. */
public final class ReconstructionLoss extends Loss {
  public ReconstructionLoss() {
    super("reconstruction-bce");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return ConvAutoencoder.reconstructionError(predictions.get(0), labels.get(0)).mean();
  }
}
