package io.semistream.image;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the plain PNGs that make up nearly all of the stream (8-bit grey, 16-bit grey, 8-bit RGB or RGBA,
 * not interlaced, no palette and no chunk that changes how pixels are read) straight from the bytes with one
 * {@link Inflater}, to the raw samples ImageIO's reader would give.
 *
 * <p>Why: through ImageIO a 28×28 grey PNG costs ~150 µs (reader lookup over every registered plugin, stream
 * wrappers, a {@code BufferedImage}), as much as half the model's forward pass per image; the same work done
 * directly is a few microseconds of inflate and unfiltering. Anything this class does not recognise exactly (other
 * colour types or depths, interlacing, colour-management or transparency chunks, a zlib stream that ends early or
 * runs long, a bad filter byte) returns {@code null} and the caller decodes with ImageIO as before, which then
 * accepts or refuses it with its own message: the fast path can only ever agree with ImageIO, never overrule it.
 */
final class PlainPngDecoder {
  /** The samples of one decoded image, row-major, channels interleaved, as ImageIO's raster holds them. */
  record Samples(int width, int height, int channels, int bitDepth, byte[] raw) {
    /** Sample {@code c} of pixel {@code (x, y)}: 0–255, or 0–65535 at 16 bits. */
    int at(int x, int y, int c) {
      int i = (y * width + x) * channels + c;
      return bitDepth == 16 ? ((raw[2 * i] & 0xFF) << 8) | (raw[2 * i + 1] & 0xFF) : raw[i] & 0xFF;
    }
  }

  /** What a PNG's IHDR chunk says. */
  record Header(int width, int height, int bitDepth, int colourType, int interlace) {
    /** Samples per pixel of the kinds decoded here (grey, RGB, RGBA); 0 for any other colour type. */
    int channels() {
      return switch (colourType) {
        case 0 -> 1;
        case 2 -> 3;
        case 6 -> 4;
        default -> 0;
      };
    }

    /** A kind this class decodes: grey at 8 or 16 bits, RGB or RGBA at 8, not interlaced. */
    boolean plain() {
      return interlace == 0 && channels() > 0 && (bitDepth == 8 || (bitDepth == 16 && colourType == 0));
    }
  }

  private static final byte[] SIGNATURE = {(byte) 137, 80, 78, 71, 13, 10, 26, 10};

  private PlainPngDecoder() {
  }

  /** The header, if the bytes start with the PNG signature and a well-formed IHDR chunk; else null. */
  static Header header(byte[] png) {
    if (png.length < 33) {
      return null;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (png[i] != SIGNATURE[i]) {
        return null;
      }
    }
    if (int32(png, 8) != 13 || !type(png, 12, "IHDR")) {
      return null;
    }
    int width = int32(png, 16);
    int height = int32(png, 20);
    if (width < 1 || height < 1 || png[26] != 0 || png[27] != 0) {
      return null;
    }
    return new Header(width, height, png[24] & 0xFF, png[25] & 0xFF, png[28] & 0xFF);
  }

  /**
   * The image's samples, or null when this is not a plain PNG as described above (the caller then uses ImageIO).
   * The caller has already checked the header's dimensions against its limits.
   */
  static Samples decode(byte[] png, Header h) {
    if (!h.plain()) {
      return null;
    }
    int channels = h.channels();
    int bytesPerPixel = channels * h.bitDepth() / 8;
    long rowBytes = (long) h.width() * bytesPerPixel;
    long filtered = h.height() * (rowBytes + 1);
    if (filtered > Integer.MAX_VALUE - 16) {
      return null;
    }
    byte[] rows = inflateImageData(png, (int) filtered);
    if (rows == null) {
      return null;
    }
    byte[] raw = unfilter(rows, h.height(), (int) rowBytes, bytesPerPixel);
    return raw == null ? null : new Samples(h.width(), h.height(), channels, h.bitDepth(), raw);
  }

  /**
   * One inflater per decoding thread, reset between images. Why: {@code new Inflater()} allocates and initialises
   * zlib's native state (a 32 KiB window) and registers a cleaner, and {@code end()} frees it again; for a 28 × 28
   * image that cost more than inflating its few hundred bytes.
   */
  private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);

  /**
   * Walks the chunks after IHDR: only IDAT (consecutive), IEND and chunks that never change pixel values are
   * accepted. Returns the inflated bytes of one complete zlib stream in an array of {@code expected + 1} bytes
   * whose first {@code expected} are the image's filtered rows (exactly that many were produced), or null.
   */
  private static byte[] inflateImageData(byte[] png, int expected) {
    int[] chunks = imageDataChunks(png);
    if (chunks == null) {
      return null;
    }
    // One spare byte: a stream that inflates to more than the image needs is not plain, and shows up as produced
    // > expected instead of stopping silently at the image's size.
    byte[] out = new byte[expected + 1];
    Inflater inflater = INFLATER.get();
    try {
      int produced = 0;
      int next = 0;
      while (!inflater.finished()) {
        if (inflater.needsInput()) {
          if (next == chunks.length) {
            return null;   // the stream ends before zlib's end: truncated
          }
          inflater.setInput(png, chunks[next], chunks[next + 1]);   // the IDAT chunks in place, not copied
          next += 2;
          continue;
        }
        int n = inflater.inflate(out, produced, out.length - produced);
        produced += n;
        if (n == 0 && (inflater.needsDictionary() || produced == out.length)) {
          return null;
        }
      }
      return produced == expected ? out : null;
    } catch (DataFormatException e) {
      return null;
    } finally {
      inflater.reset();
    }
  }

  /**
   * Offset and length of each IDAT chunk's data, in pairs, if the chunk sequence is plain and ends with IEND; else
   * null.
   */
  private static int[] imageDataChunks(byte[] png) {
    int[] chunks = new int[4];
    int count = 0;
    boolean dataEnded = false;
    int at = 33;
    while (at + 12 <= png.length) {
      int length = int32(png, at);
      if (length < 0 || length > png.length - at - 12) {
        return null;
      }
      int data = at + 8;
      if (type(png, at + 4, "IDAT")) {
        if (dataEnded) {
          return null;
        }
        if (count == chunks.length) {
          chunks = Arrays.copyOf(chunks, 2 * count);
        }
        chunks[count++] = data;
        chunks[count++] = length;
      } else if (type(png, at + 4, "IEND")) {
        return count > 0 ? Arrays.copyOf(chunks, count) : null;
      } else if (harmless(png, at + 4)) {
        dataEnded |= count > 0;
      } else {
        return null;
      }
      at = data + length + 4;
    }
    return null;
  }

  /** Text, time and physical-size chunks: metadata ImageIO's reader records but never applies to pixels. */
  private static boolean harmless(byte[] png, int typeAt) {
    return type(png, typeAt, "tEXt") || type(png, typeAt, "zTXt") || type(png, typeAt, "iTXt")
        || type(png, typeAt, "tIME") || type(png, typeAt, "pHYs");
  }

  /** Reverses PNG's per-row filters (none, sub, up, average, Paeth); null on an unknown filter type. */
  private static byte[] unfilter(byte[] rows, int height, int rowBytes, int bpp) {
    byte[] raw = new byte[height * rowBytes];
    for (int y = 0; y < height; y++) {
      int in = y * (rowBytes + 1);
      int filter = rows[in++];
      int row = y * rowBytes;
      int prev = row - rowBytes;
      for (int i = 0; i < rowBytes; i++) {
        int x = rows[in + i] & 0xFF;
        int a = i >= bpp ? raw[row + i - bpp] & 0xFF : 0;
        int b = y > 0 ? raw[prev + i] & 0xFF : 0;
        int c = i >= bpp && y > 0 ? raw[prev + i - bpp] & 0xFF : 0;
        int value = switch (filter) {
          case 0 -> x;
          case 1 -> x + a;
          case 2 -> x + b;
          case 3 -> x + ((a + b) >>> 1);
          case 4 -> x + paeth(a, b, c);
          default -> -1;
        };
        if (value < 0) {
          return null;
        }
        raw[row + i] = (byte) value;
      }
    }
    return raw;
  }

  private static int paeth(int a, int b, int c) {
    int p = a + b - c;
    int pa = Math.abs(p - a);
    int pb = Math.abs(p - b);
    int pc = Math.abs(p - c);
    if (pa <= pb && pa <= pc) {
      return a;
    }
    return pb <= pc ? b : c;
  }

  private static int int32(byte[] b, int at) {
    return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }

  private static boolean type(byte[] b, int at, String name) {
    return b[at] == name.charAt(0) && b[at + 1] == name.charAt(1) && b[at + 2] == name.charAt(2)
        && b[at + 3] == name.charAt(3);
  }
}
