package io.semistream.training;

import java.util.Random;

/**
 * The two views of consistency training, on 28×28 images in [0, 1] (row-major), deterministic under the
 * {@link Random} given. Recipe measured offline (shared notes, learning.md): weak = random horizontal flip +
 * shift by up to 2 px (pad 2 with zeros, random 28×28 crop); strong = weak + contrast ×U(0.5, 1.5) around 0.5 +
 * brightness ±0.2 + one 10×10 zeroed square at a random centre + Gaussian noise σ 0.05, clamped to [0, 1].
 * Plain Java arrays: cheap next to the forward pass, and testable without an engine.
 */
public final class Augmentations {
  public static final int SIDE = 28;
  static final int MAX_SHIFT = 2;
  static final int ERASE = 10;
  static final double NOISE = 0.05;

  private Augmentations() {
  }

  /** Flip (p = 0.5) and shift by up to 2 pixels in each direction; pixels shifted in are 0. */
  public static float[] weak(float[] image, Random random) {
    check(image);
    boolean flip = random.nextBoolean();
    int dx = random.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT;
    int dy = random.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT;
    float[] out = new float[SIDE * SIDE];
    for (int y = 0; y < SIDE; y++) {
      int sy = y + dy;
      if (sy < 0 || sy >= SIDE) {
        continue;
      }
      for (int x = 0; x < SIDE; x++) {
        int sx = x + dx;
        if (sx < 0 || sx >= SIDE) {
          continue;
        }
        out[y * SIDE + x] = image[sy * SIDE + (flip ? SIDE - 1 - sx : sx)];
      }
    }
    return out;
  }

  /** The weak view, then photometric jitter, a 10×10 erased square and noise, clamped to [0, 1]. */
  public static float[] strong(float[] image, Random random) {
    float[] out = weak(image, random);
    float contrast = 0.5f + random.nextFloat();
    float brightness = (random.nextFloat() * 2 - 1) * 0.2f;
    int cx = random.nextInt(SIDE);
    int cy = random.nextInt(SIDE);
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        int i = y * SIDE + x;
        float v = (out[i] - 0.5f) * contrast + 0.5f + brightness;
        if (x >= cx - ERASE / 2 && x < cx + ERASE / 2 && y >= cy - ERASE / 2 && y < cy + ERASE / 2) {
          v = 0;
        }
        v += (float) (random.nextGaussian() * NOISE);
        out[i] = Math.min(1f, Math.max(0f, v));
      }
    }
    return out;
  }

  private static void check(float[] image) {
    if (image == null || image.length != SIDE * SIDE) {
      throw new IllegalArgumentException("augmentations take 28x28 images, got "
          + (image == null ? "null" : image.length + " values"));
    }
  }
}
