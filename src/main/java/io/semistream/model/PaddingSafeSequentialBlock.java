package io.semistream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A {@link SequentialBlock} whose training pass runs every {@link Conv2d} with a filter count that is not a multiple
 * of {@value #CHANNEL_BLOCK} as a convolution widened with zero filters, keeping only the real output channels.
 *
 * <p>Why: PyTorch 2.7.1's oneDNN (3.7.1) keeps such an output in a channel-blocked layout padded to 16 (8 below
 * AVX-512) channels, and its backward-data pass does not always see zeros in the padding: on an AMD EPYC with
 * AVX-512 the input gradient of the decoder's last 32 → 1 convolution came back with hundreds of NaN per image in
 * about 1 in 20 steps (Probe3: 15 of 300 backward passes, 2 of 300 with {@code ONEDNN_MAX_CPU_ISA=AVX2}), which made
 * every weight NaN after one Adam step. With zero-padded weights the gradient reaching the convolution is an
 * ordinary dense tensor (zeros in the extra channels, from the slice), so nothing depends on the padding.
 *
 * <p>Inference is untouched: the forward pass does not read the padding, and it keeps its cost. The parameters
 * are the same {@link Conv2d}'s, so saved models load as before.
 */
final class PaddingSafeSequentialBlock extends SequentialBlock {
  static final int CHANNEL_BLOCK = 16;

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    if (!training) {
      return super.forwardInternal(store, inputs, false, params);
    }
    NDList current = inputs;
    for (Block child : children.values()) {
      current = child instanceof Conv2d conv && conv.getFilters() % CHANNEL_BLOCK != 0
          ? new NDList(widened(store, conv, current.singletonOrThrow()))
          : child.forward(store, current, true, params);
    }
    return current;
  }

  /** {@code conv(x)} computed with the filters padded by zero filters to a multiple of the channel block. */
  static NDArray widened(ParameterStore store, Conv2d conv, NDArray x) {
    int filters = conv.getFilters();
    int extra = CHANNEL_BLOCK - filters % CHANNEL_BLOCK;
    NDArray weight = store.getValue(conv.getParameters().get("weight"), x.getDevice(), true);
    Shape w = weight.getShape();
    NDArray wide = weight.concat(x.getManager().zeros(new Shape(extra, w.get(1), w.get(2), w.get(3)),
        weight.getDataType()), 0);
    NDArray bias = null;
    if (conv.isIncludeBias()) {
      bias = store.getValue(conv.getParameters().get("bias"), x.getDevice(), true)
          .concat(x.getManager().zeros(new Shape(extra), weight.getDataType()), 0);
    }
    NDArray out = Conv2d.conv2d(x, wide, bias, conv.getStride(), conv.getPadding(), conv.getDilation(),
        conv.getGroups()).singletonOrThrow();
    return out.get(":, 0:" + filters);
  }
}
