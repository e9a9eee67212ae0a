package io.semistream.image;

import io.semistream.records.RejectReason;

import io.semistream.records.RejectedRecordException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.replay.PngEncoder;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {
  private final ImagePreprocessor pre = new ImagePreprocessor(28, 1 << 20, 4096);

  private static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, format, out);
    return out.toByteArray();
  }

  private static byte[] randomPixels(int n, long seed) {
    byte[] p = new byte[n];
    new Random(seed).nextBytes(p);
    return p;
  }

  @Test
  void shouldReturnA28x28GreyPngBitExact() throws Exception {
    byte[] pixels = randomPixels(784, 1);
    float[] out = pre.preprocess(PngEncoder.grey(pixels, 28, 28));
    for (int i = 0; i < 784; i++) {
      assertEquals((pixels[i] & 0xFF) / 255f, out[i], 0f);
    }
  }

  @Test
  void shouldAreaAverageALargerGreyImage() throws Exception {
    byte[] pixels = randomPixels(56 * 56, 2);
    float[] out = pre.preprocess(PngEncoder.grey(pixels, 56, 56));
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        int sum = 0;
        for (int dy = 0; dy < 2; dy++) {
          for (int dx = 0; dx < 2; dx++) {
            sum += pixels[(2 * y + dy) * 56 + 2 * x + dx] & 0xFF;
          }
        }
        assertEquals(sum / 4f / 255f, out[y * 28 + x], 1e-5f);
      }
    }
  }

  @Test
  void shouldUpscaleATinyImageByReplication() throws Exception {
    byte[] pixels = {0, (byte) 255, (byte) 128, 64};
    float[] out = pre.preprocess(PngEncoder.grey(pixels, 2, 2));
    assertEquals(0f, out[0], 1e-6f);
    assertEquals(1f, out[27], 1e-6f);
    assertEquals(128 / 255f, out[27 * 28], 1e-5f);
    assertEquals(64 / 255f, out[783], 1e-5f);
  }

  @Test
  void shouldTurnAColourJpegOfAnotherSizeIntoLuminance() throws Exception {
    // Left half pure red, right half pure blue, 100x80: luminance 0.299 and 0.114.
    BufferedImage colour = new BufferedImage(100, 80, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = colour.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(0, 0, 50, 80);
    g.setColor(Color.BLUE);
    g.fillRect(50, 0, 50, 80);
    g.dispose();
    float[] out = pre.preprocess(encode(colour, "jpg"));
    assertEquals(784, out.length);
    // JPEG is lossy (chroma subsampling): compare away from the edge, with a tolerance.
    assertEquals(0.299f, out[14 * 28 + 5], 0.03f);
    assertEquals(0.114f, out[14 * 28 + 22], 0.03f);
  }

  @Test
  void shouldCompositeTransparencyOnBlackForColourPng() throws Exception {
    BufferedImage rgba = new BufferedImage(28, 28, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        rgba.setRGB(x, y, x < 14 ? 0x80FFFFFF : 0xFF00FF00);
      }
    }
    float[] out = pre.preprocess(encode(rgba, "png"));
    assertEquals(128 / 255f, out[0], 1e-3f);
    assertEquals(0.587f, out[20], 1e-3f);
  }

  @Test
  void shouldMatchPngForAnRgbPngOfGreyPixels() throws Exception {
    byte[] pixels = randomPixels(784, 5);
    BufferedImage rgb = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < 784; i++) {
      int v = pixels[i] & 0xFF;
      rgb.setRGB(i % 28, i / 28, (v << 16) | (v << 8) | v);
    }
    float[] fromRgb = pre.preprocess(encode(rgb, "png"));
    float[] fromGrey = pre.preprocess(PngEncoder.grey(pixels, 28, 28));
    assertArrayEquals(fromGrey, fromRgb, 1e-5f);
  }

  @Test
  void shouldRejectEmptyCorruptOversizedAndHugeImagesWithReasons() throws Exception {
    assertEquals(RejectReason.EMPTY_IMAGE,
        assertThrows(RejectedRecordException.class, () -> pre.preprocess(new byte[0])).reason());
    assertEquals(RejectReason.EMPTY_IMAGE,
        assertThrows(RejectedRecordException.class, () -> pre.preprocess(null)).reason());
    assertEquals(RejectReason.UNDECODABLE_IMAGE, assertThrows(RejectedRecordException.class,
        () -> pre.preprocess("definitely not a png".getBytes())).reason());
    byte[] png = PngEncoder.grey(randomPixels(784, 3), 28, 28);
    byte[] truncated = Arrays.copyOf(png, png.length / 2);
    assertEquals(RejectReason.UNDECODABLE_IMAGE,
        assertThrows(RejectedRecordException.class, () -> pre.preprocess(truncated)).reason());
    ImagePreprocessor small = new ImagePreprocessor(28, 100, 4096);
    RejectedRecordException big = assertThrows(RejectedRecordException.class, () -> small.preprocess(png));
    assertEquals(RejectReason.OVERSIZED_IMAGE, big.reason());
    ImagePreprocessor narrow = new ImagePreprocessor(28, 1 << 20, 32);
    byte[] wide = PngEncoder.grey(new byte[64 * 10], 64, 10);
    assertEquals(RejectReason.IMAGE_TOO_LARGE,
        assertThrows(RejectedRecordException.class, () -> narrow.preprocess(wide)).reason());
  }

  @Test
  void shouldRefuseTooManyPixelsFromTheHeaderAndSubsampleLargeImages() throws Exception {
    // 600x600 declared, 360,000 pixels: refused under a 100,000-pixel bound before any decoding ...
    byte[] square = PngEncoder.grey(new byte[600 * 600], 600, 600);
    ImagePreprocessor bounded = new ImagePreprocessor(28, 1 << 20, 4096, 100_000);
    RejectedRecordException e = assertThrows(RejectedRecordException.class, () -> bounded.preprocess(square));
    assertEquals(RejectReason.IMAGE_TOO_LARGE, e.reason());
    assertTrue(e.getMessage().contains("embedding.max.image.pixels"), e.getMessage());
    // ... and decoded subsampled (k = 600 / 224 = 2) under the default bound: a uniform image stays uniform.
    byte[] grey = new byte[600 * 600];
    Arrays.fill(grey, (byte) 200);
    float[] out = pre.preprocess(PngEncoder.grey(grey, 600, 600));
    assertEquals(28 * 28, out.length);
    for (float v : out) {
      assertEquals(200 / 255f, v, 1e-6);
    }
  }

  @Test
  void shouldLeaveAnImageAboveTheInlineBoundUndecodedButStillRefuseOneAboveTheLimits() throws Exception {
    byte[] square = PngEncoder.grey(new byte[600 * 600], 600, 600);
    LargeImageException large = assertThrows(LargeImageException.class, () -> pre.preprocess(square, 359_999));
    assertEquals(360_000, large.pixels());
    assertEquals(28 * 28, pre.preprocess(square, 360_000).length);
    // The limits come first: an image no lane may decode is refused, not deferred.
    ImagePreprocessor bounded = new ImagePreprocessor(28, 1 << 20, 4096, 100_000);
    assertEquals(RejectReason.IMAGE_TOO_LARGE, assertThrows(RejectedRecordException.class,
        () -> bounded.preprocess(square, 1_000)).reason());
    // A corrupt header is what it always was.
    assertEquals(RejectReason.UNDECODABLE_IMAGE, assertThrows(RejectedRecordException.class,
        () -> pre.preprocess("not an image".getBytes(), 1_000)).reason());
  }
}
