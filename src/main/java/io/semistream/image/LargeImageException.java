package io.semistream.image;

/**
 * An image that passed every limit but declares more pixels than may be decoded in line with small ones
 * (thrown by {@link ImagePreprocessor#preprocess(byte[], long)} after reading only its header).
 */
public final class LargeImageException extends Exception {
  private final int width;
  private final int height;

  LargeImageException(int width, int height) {
    super("image of " + width + "x" + height + " = " + (long) width * height + " pixels", null, false, false);
    this.width = width;
    this.height = height;
  }

  public long pixels() {
    return (long) width * height;
  }
}
