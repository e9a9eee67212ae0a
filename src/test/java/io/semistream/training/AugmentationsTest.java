package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AugmentationsTest {
  private static float[] gradient() {
    float[] image = new float[28 * 28];
    for (int i = 0; i < image.length; i++) {
      image[i] = (i % 28) / 27f;
    }
    return image;
  }

  @Test
  void shouldGiveTheSameViewsUnderTheSameSeedAndOthersUnderAnother() {
    float[] image = gradient();
    assertArrayEquals(Augmentations.strong(image, new Random(7)), Augmentations.strong(image, new Random(7)));
    assertArrayEquals(Augmentations.weak(image, new Random(7)), Augmentations.weak(image, new Random(7)));
    assertFalse(Arrays.equals(Augmentations.strong(image, new Random(7)), Augmentations.strong(image, new Random(8))));
  }

  @Test
  void shouldKeepShapeAndValueRangeAndLeaveTheInputAlone() {
    float[] image = gradient();
    float[] copy = image.clone();
    Random random = new Random(1);
    for (int i = 0; i < 200; i++) {
      for (float[] view : new float[][] {Augmentations.weak(image, random), Augmentations.strong(image, random)}) {
        assertEquals(28 * 28, view.length);
        for (float v : view) {
          assertTrue(v >= 0 && v <= 1, "value " + v);
        }
      }
    }
    assertArrayEquals(copy, image);
  }

  @Test
  void shouldOnlyFlipAndShiftInTheWeakView() {
    float[] image = new float[28 * 28];
    image[14 * 28 + 10] = 1;     // one lit pixel
    Random random = new Random(3);
    for (int i = 0; i < 100; i++) {
      float[] view = Augmentations.weak(image, random);
      int lit = 0;
      for (int p = 0; p < view.length; p++) {
        if (view[p] == 1) {
          lit++;
          int y = p / 28;
          int x = p % 28;
          assertTrue(Math.abs(y - 14) <= 2, "row " + y);
          assertTrue(Math.abs(x - 10) <= 2 || Math.abs(x - 17) <= 2, "column " + x + " (10, or 17 flipped)");
        }
      }
      assertEquals(1, lit);
    }
  }

  @Test
  void shouldEraseASquareInTheStrongView() {
    float[] white = new float[28 * 28];
    Arrays.fill(white, 1f);
    Random random = new Random(5);
    int darkAtLeast = Integer.MAX_VALUE;
    for (int i = 0; i < 50; i++) {
      float[] view = Augmentations.strong(white, random);
      int dark = 0;
      for (float v : view) {
        if (v < 0.25f) {
          dark++;
        }
      }
      darkAtLeast = Math.min(darkAtLeast, dark);
    }
    assertTrue(darkAtLeast >= 9, "even clipped at a corner the erased square leaves >= 9 dark pixels: " + darkAtLeast);
  }

  @Test
  void shouldRefuseImagesOfAnotherSize() {
    assertThrows(IllegalArgumentException.class, () -> Augmentations.weak(new float[10], new Random(1)));
  }
}
