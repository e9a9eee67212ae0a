package io.semistream.image;

import io.semistream.records.RejectReason;
import io.semistream.records.RejectedRecordException;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns encoded image bytes (PNG, JPEG, GIF, BMP; any size; grey or colour) into the model's input:
 * a {@code side × side} grey image, row-major, values in [0, 1].
 *
 * <p>Colour becomes ITU-R BT.601 luminance; transparency is composited on black (the data sets' background);
 * resizing is exact area averaging, so a 28×28 grey PNG comes back bit-exact and a 56×56 one is 2×2 box-filtered.
 * Dimensions are read from the header before decoding, so a tiny file claiming a gigantic image is rejected
 * without allocating it.
 */
public final class ImagePreprocessor {
  private final int side;
  private final int maxBytes;
  private final int maxSourceSide;
  private final long maxSourcePixels;
  private final boolean plainPngFastPath;

  /** With the default pixel bound, {@link #DEFAULT_MAX_PIXELS}. */
  public ImagePreprocessor(int side, int maxBytes, int maxSourceSide) {
    this(side, maxBytes, maxSourceSide, DEFAULT_MAX_PIXELS);
  }

  /** 4 megapixels: a 2048×2048 camera frame passes, a 4096×4096 one (16.7 MP) does not. */
  public static final long DEFAULT_MAX_PIXELS = 4L * 1024 * 1024;

  /**
   * @param maxSourcePixels images with more pixels (width × height, read from the header) are refused: the
   *     decode cost grows with pixels, not with bytes (a 130 kB PNG can declare 16 megapixels of 16-bit RGBA)
   */
  public ImagePreprocessor(int side, int maxBytes, int maxSourceSide, long maxSourcePixels) {
    if (side < 1 || maxBytes < 1 || maxSourceSide < 1 || maxSourcePixels < 1) {
      throw new IllegalArgumentException("side, maxBytes, maxSourceSide and maxSourcePixels must be positive");
    }
    this.side = side;
    this.maxBytes = maxBytes;
    this.maxSourceSide = maxSourceSide;
    this.maxSourcePixels = maxSourcePixels;
    this.plainPngFastPath = true;
  }

  private ImagePreprocessor(ImagePreprocessor limits, boolean plainPngFastPath) {
    this.side = limits.side;
    this.maxBytes = limits.maxBytes;
    this.maxSourceSide = limits.maxSourceSide;
    this.maxSourcePixels = limits.maxSourcePixels;
    this.plainPngFastPath = plainPngFastPath;
  }

  /**
   * The same preprocessor decoding every image through ImageIO, plain PNGs included: what the bench puts beside
   * the fast path ({@link PlainPngDecoder}) to measure it; the values are the same.
   */
  public ImagePreprocessor throughImageIoOnly() {
    return new ImagePreprocessor(this, false);
  }

  /** With the limits the configuration gives the embedding service (bytes, side, pixels). */
  public static ImagePreprocessor of(int side, io.semistream.config.EmbeddingSettings limits) {
    return new ImagePreprocessor(side, limits.maxImageBytes(), limits.maxImageSide(), limits.maxImagePixels());
  }

  public int side() {
    return side;
  }

  public float[] preprocess(byte[] encoded) throws RejectedRecordException {
    try {
      return preprocess(encoded, Long.MAX_VALUE);
    } catch (LargeImageException impossible) {
      throw new AssertionError("no image has more than Long.MAX_VALUE pixels", impossible);
    }
  }

  /**
   * As {@link #preprocess(byte[])}, but an image whose header declares more than {@code maxInlinePixels} pixels
   * (and that passes every limit) is not decoded: the caller hands it to a slow lane instead. Reading the header
   * costs microseconds; decoding a 4-megapixel PNG costs ~100 ms.
   *
   * @throws LargeImageException the image is valid as far as the header tells, and large
   */
  public float[] preprocess(byte[] encoded, long maxInlinePixels) throws RejectedRecordException,
      LargeImageException {
    if (encoded == null || encoded.length == 0) {
      throw new RejectedRecordException(RejectReason.EMPTY_IMAGE, "image record has no bytes");
    }
    if (encoded.length > maxBytes) {
      throw new RejectedRecordException(RejectReason.OVERSIZED_IMAGE,
          "image of " + encoded.length + " bytes exceeds embedding.max.image.bytes=" + maxBytes);
    }
    PlainPngDecoder.Header png = PlainPngDecoder.header(encoded);
    // Only for the kinds the fast path decodes: any other PNG keeps ImageIO's own header check and messages.
    if (plainPngFastPath && png != null && png.plain()) {
      checkLimits(png.width(), png.height(), maxInlinePixels);
      PlainPngDecoder.Samples samples = subsamplingFactor(png.width(), png.height()) < 2
          ? PlainPngDecoder.decode(encoded, png) : null;
      if (samples != null) {
        return toModelInput(samples);
      }
    }
    BufferedImage image = decode(encoded, maxInlinePixels);
    return toModelInput(image);
  }

  private void checkLimits(int width, int height, long maxInlinePixels) throws RejectedRecordException,
      LargeImageException {
    if (width > maxSourceSide || height > maxSourceSide) {
      throw new RejectedRecordException(RejectReason.IMAGE_TOO_LARGE,
          "image of " + width + "x" + height + " exceeds embedding.max.image.side=" + maxSourceSide);
    }
    if ((long) width * height > maxSourcePixels) {
      throw new RejectedRecordException(RejectReason.IMAGE_TOO_LARGE, "image of " + width + "x" + height + " = "
          + (long) width * height + " pixels exceeds embedding.max.image.pixels=" + maxSourcePixels);
    }
    if ((long) width * height > maxInlinePixels) {
      throw new LargeImageException(width, height);
    }
  }

  private BufferedImage decode(byte[] encoded, long maxInlinePixels) throws RejectedRecordException,
      LargeImageException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new RejectedRecordException(RejectReason.UNDECODABLE_IMAGE,
            "bytes are not a PNG, JPEG, GIF or BMP image");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        checkLimits(width, height, maxInlinePixels);
        BufferedImage image = reader.read(0, subsampling(reader, width, height));
        if (image == null || width < 1 || height < 1) {
          throw new RejectedRecordException(RejectReason.UNDECODABLE_IMAGE, "decoder returned no image");
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      // Truncated or corrupt files surface as IIOException, EOFException or decoder runtime errors.
      throw new RejectedRecordException(RejectReason.UNDECODABLE_IMAGE,
          "cannot decode image: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * Large images are decoded at a reduced resolution (every k-th pixel and row) that still leaves at least
   * 8 × side pixels on the short side: the result is area-averaged to side × side anyway, and the decoder then
   * allocates k² times less. Small images are decoded whole (a 28×28 grey PNG stays bit-exact).
   */
  private ImageReadParam subsampling(ImageReader reader, int width, int height) {
    ImageReadParam param = reader.getDefaultReadParam();
    int k = subsamplingFactor(width, height);
    if (k >= 2) {
      param.setSourceSubsampling(k, k, 0, 0);
    }
    return param;
  }

  private int subsamplingFactor(int width, int height) {
    return Math.min(width, height) / (8 * side);
  }

  /** The same values as {@link #toModelInput(BufferedImage)} gives for ImageIO's decoding of the same file. */
  private float[] toModelInput(PlainPngDecoder.Samples s) {
    int w = s.width();
    int h = s.height();
    float[] grey = new float[w * h];
    if (s.channels() == 1) {
      int max = (1 << s.bitDepth()) - 1;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          grey[y * w + x] = s.at(x, y, 0) / (float) max;
        }
      }
    } else {
      boolean alpha = s.channels() == 4;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          grey[y * w + x] = luminance(s.at(x, y, 0), s.at(x, y, 1), s.at(x, y, 2), alpha ? s.at(x, y, 3) : 255, alpha);
        }
      }
    }
    return (w == side && h == side) ? grey : resize(grey, w, h);
  }

  /** BT.601 luminance in [0, 1], composited on black when the image has transparency. */
  private static float luminance(int r, int g, int b, int a, boolean hasAlpha) {
    float alpha = hasAlpha ? a / 255f : 1f;
    float luminance = 0.299f * r + 0.587f * g + 0.114f * b;
    return alpha * luminance / 255f;
  }

  /** Grey in [0, 1] at the source size, then area-averaged to side × side. */
  float[] toModelInput(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    float[] grey = new float[w * h];
    boolean alpha = image.getColorModel().hasAlpha();
    boolean grey8or16 = image.getType() == BufferedImage.TYPE_BYTE_GRAY
        || image.getType() == BufferedImage.TYPE_USHORT_GRAY;
    if (grey8or16) {
      // Grey images: read the raw sample so that no colour-space conversion alters the values.
      int max = (1 << image.getColorModel().getComponentSize(0)) - 1;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          grey[y * w + x] = image.getRaster().getSample(x, y, 0) / (float) max;
        }
      }
    } else {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int argb = image.getRGB(x, y);
          grey[y * w + x] = luminance((argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF, (argb >>> 24) & 0xFF,
              alpha);
        }
      }
    }
    return (w == side && h == side) ? grey : resize(grey, w, h);
  }

  /** Exact area averaging, separable: every source pixel contributes by the fraction it covers. */
  private float[] resize(float[] src, int w, int h) {
    float[] rows = new float[side * h];
    double[][] wx = weights(w);
    for (int y = 0; y < h; y++) {
      final int rowStart = y * w;
      for (int tx = 0; tx < side; tx++) {
        rows[y * side + tx] = (float) apply(wx[tx], i -> src[rowStart + i]);
      }
    }
    float[] out = new float[side * side];
    double[][] wy = weights(h);
    for (int ty = 0; ty < side; ty++) {
      for (int tx = 0; tx < side; tx++) {
        final int col = tx;
        out[ty * side + tx] = Math.min(1f, Math.max(0f, (float) apply(wy[ty], i -> rows[i * side + col])));
      }
    }
    return out;
  }

  /** weights[t] = {first, w0, w1, ...}: coverage of source pixels first.. by target pixel t. */
  private double[][] weights(int sourceLength) {
    double scale = (double) sourceLength / side;
    double[][] all = new double[side][];
    for (int t = 0; t < side; t++) {
      double start = t * scale;
      double end = (t + 1) * scale;
      int first = (int) Math.floor(start);
      int last = Math.min(sourceLength - 1, (int) Math.ceil(end) - 1);
      double[] w = new double[last - first + 2];
      w[0] = first;
      for (int i = first; i <= last; i++) {
        w[i - first + 1] = (Math.min(end, i + 1) - Math.max(start, i)) / scale;
      }
      all[t] = w;
    }
    return all;
  }

  private interface Sample {
    float at(int index);
  }

  private static double apply(double[] w, Sample sample) {
    int first = (int) w[0];
    double sum = 0;
    for (int k = 1; k < w.length; k++) {
      sum += w[k] * sample.at(first + k - 1);
    }
    return sum;
  }
}
