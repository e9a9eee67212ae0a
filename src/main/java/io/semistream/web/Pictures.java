package io.semistream.web;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Grey images in [0, 1] (row-major, square) as PNG bytes: what the browser is given, never the bytes users sent. */
final class Pictures {
  private Pictures() {
  }

  static byte[] png(float[] pixels) {
    int side = (int) Math.round(Math.sqrt(pixels.length));
    if (side * side != pixels.length || side == 0) {
      throw new IllegalArgumentException("not a square image: " + pixels.length + " pixels");
    }
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        float v = pixels[y * side + x];
        int grey = Float.isFinite(v) ? Math.round(Math.max(0f, Math.min(1f, v)) * 255f) : 0;
        img.getRaster().setSample(x, y, 0, grey);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
