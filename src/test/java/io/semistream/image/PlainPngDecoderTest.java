package io.semistream.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.semistream.records.RejectReason;
import io.semistream.records.RejectedRecordException;
import io.semistream.replay.PngEncoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;

/** The fast path must give exactly what ImageIO gives, and hand everything else to ImageIO. */
class PlainPngDecoderTest {
  private final ImagePreprocessor pre = new ImagePreprocessor(28, 1 << 22, 4096);

  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** What the preprocessor gives for these bytes when ImageIO decodes them. */
  private float[] throughImageIo(byte[] bytes) throws IOException {
    return pre.toModelInput(ImageIO.read(new ByteArrayInputStream(bytes)));
  }

  private static boolean takesFastPath(byte[] bytes) {
    PlainPngDecoder.Header h = PlainPngDecoder.header(bytes);
    return h != null && PlainPngDecoder.decode(bytes, h) != null;
  }

  /** Smooth gradients plus noise: ImageIO's writer then picks different row filters (sub, up, average, Paeth). */
  private static BufferedImage picture(int type, int w, int h, long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int noise = y % 3 == 0 ? random.nextInt(256) : 0;
        int r = (x * 9 + noise) & 0xFF;
        int g = (y * 7 + x) & 0xFF;
        int b = (x * y + noise / 2) & 0xFF;
        int a = (x * 255 / Math.max(1, w - 1)) & 0xFF;
        image.setRGB(x, y, (a << 24) | (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }

  @Test
  void shouldDecodeGreyPngsBitForBitAsImageIoDoes() throws Exception {
    for (int seed = 0; seed < 20; seed++) {
      byte[] pixels = new byte[28 * 28];
      new Random(seed).nextBytes(pixels);
      if (seed % 2 == 0) {
        for (int i = 0; i < pixels.length; i++) {
          pixels[i] = (byte) (seed % 4 == 0 ? i % 28 * 9 : pixels[i] & 0x0F);
        }
      }
      byte[] bytes = PngEncoder.grey(pixels, 28, 28);
      assertNotNull(PlainPngDecoder.decode(bytes, PlainPngDecoder.header(bytes)));
      assertArrayEquals(throughImageIo(bytes), pre.preprocess(bytes));
    }
  }

  @Test
  void shouldDecodeRgbRgbaAndSixteenBitGreyOfAnySizeAsImageIoDoes() throws Exception {
    int[][] sizes = {{28, 28}, {1, 1}, {3, 50}, {56, 56}, {100, 37}, {300, 200}};
    for (int[] size : sizes) {
      for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB,
          BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_USHORT_GRAY,
          BufferedImage.TYPE_BYTE_GRAY}) {
        byte[] bytes = png(picture(type, size[0], size[1], size[0] * 31L + type));
        String what = "type " + type + ", " + size[0] + "x" + size[1];
        assertEquals(true, takesFastPath(bytes), what);
        assertArrayEquals(throughImageIo(bytes), pre.preprocess(bytes), what);
      }
    }
  }

  @Test
  void shouldUndoEveryRowFilterAsImageIoDoes() throws Exception {
    // Random filtered bytes are a valid image under any filter: rows cycle through none, sub, up, average and
    // Paeth, for every kind of pixel the fast path takes (1 to 4 bytes per pixel), so each filter's neighbours
    // (left, above, above-left) and their ties are exercised, which ImageIO's own writer might never produce.
    int[][] kinds = {{8, 0, 1}, {16, 0, 2}, {8, 2, 3}, {8, 6, 4}};
    PngFiles grey = PngFiles.parse(PngEncoder.grey(new byte[4], 2, 2));
    for (int[] kind : kinds) {
      for (int seed = 0; seed < 5; seed++) {
        int width = 7 + seed * 5;
        int height = 11 + seed;
        Random random = new Random(seed * 10L + kind[2]);
        int rowBytes = width * kind[2];
        byte[] rows = new byte[height * (rowBytes + 1)];
        for (int y = 0; y < height; y++) {
          rows[y * (rowBytes + 1)] = (byte) ((y + seed) % 5);
          for (int i = 1; i <= rowBytes; i++) {
            // Few distinct values, so that Paeth's distances tie often.
            rows[y * (rowBytes + 1) + i] = (byte) (seed % 2 == 0 ? random.nextInt(256) : random.nextInt(4) * 64);
          }
        }
        byte[] bytes = grey.withHeader(width, height, kind[0], kind[1]).withImageData(PngFiles.deflate(rows))
            .bytes();
        String what = kind[0] + "-bit colour type " + kind[1] + ", seed " + seed;
        assertEquals(true, takesFastPath(bytes), what);
        assertArrayEquals(throughImageIo(bytes), pre.preprocess(bytes), what);
      }
    }
  }

  @Test
  void shouldLeavePalettedAndInterlacedPngsToImageIo() throws Exception {
    byte[] paletted = png(picture(BufferedImage.TYPE_BYTE_INDEXED, 28, 28, 1));
    assertNull(PlainPngDecoder.decode(paletted, PlainPngDecoder.header(paletted)));
    assertArrayEquals(throughImageIo(paletted), pre.preprocess(paletted));

    BufferedImage grey = picture(BufferedImage.TYPE_BYTE_GRAY, 40, 30, 2);
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      writer.write(null, new IIOImage(grey, null, null), param);
    } finally {
      writer.dispose();
    }
    byte[] interlaced = out.toByteArray();
    assertEquals(1, PlainPngDecoder.header(interlaced).interlace());
    assertNull(PlainPngDecoder.decode(interlaced, PlainPngDecoder.header(interlaced)));
    assertArrayEquals(throughImageIo(interlaced), pre.preprocess(interlaced));
  }

  @Test
  void shouldJoinSplitImageDataAndSkipTextChunksButNotGammaOrTransparency() throws Exception {
    byte[] plain = PngEncoder.grey(PngFiles.noise(28 * 28, 3), 28, 28);
    PngFiles file = PngFiles.parse(plain);
    byte[] split = file.withImageDataSplitInto(3).withChunkAfterHeader("tEXt", "Comment\0hello".getBytes(
        StandardCharsets.ISO_8859_1)).bytes();
    assertEquals(true, takesFastPath(split));
    assertArrayEquals(pre.preprocess(plain), pre.preprocess(split));
    assertArrayEquals(throughImageIo(split), pre.preprocess(split));

    for (String kind : new String[] {"gAMA", "tRNS", "sBIT", "iCCP", "PLTE"}) {
      byte[] marked = file.withChunkAfterHeader(kind, new byte[] {0, 0, (byte) 0xB1, (byte) 0x8F}).bytes();
      assertNull(PlainPngDecoder.decode(marked, PlainPngDecoder.header(marked)), kind);
    }
    // Image data after a text chunk that follows image data: not plain either.
    byte[] scattered = file.withImageDataSplitInto(2).withChunkBetweenImageData("tEXt", "a\0b".getBytes(
        StandardCharsets.ISO_8859_1)).bytes();
    assertNull(PlainPngDecoder.decode(scattered, PlainPngDecoder.header(scattered)));
  }

  @Test
  void shouldHandBrokenImageDataToImageIoWhichRefusesIt() throws Exception {
    byte[] plain = PngEncoder.grey(PngFiles.noise(28 * 28, 4), 28, 28);
    PngFiles file = PngFiles.parse(plain);
    // A truncated upload, a flipped byte, a stream that inflates past the image, one that ends short of it, none.
    List<byte[]> broken = new ArrayList<>(file.brokenImageData(2, 0x5A));
    broken.add(PngFiles.deflate(new byte[27 * 28 + 27]));
    broken.add(new byte[0]);
    for (byte[] bad : broken) {
      byte[] bytes = file.withImageData(bad).bytes();
      assertNull(PlainPngDecoder.decode(bytes, PlainPngDecoder.header(bytes)));
      boolean imageIoReads;
      try {
        imageIoReads = ImageIO.read(new ByteArrayInputStream(bytes)) != null;
      } catch (IOException | RuntimeException e) {
        imageIoReads = false;
      }
      if (imageIoReads) {
        assertArrayEquals(throughImageIo(bytes), pre.preprocess(bytes));
      } else {
        assertEquals(RejectReason.UNDECODABLE_IMAGE,
            assertThrows(RejectedRecordException.class, () -> pre.preprocess(bytes)).reason());
      }
    }
    // A wrong checksum on the image data: ImageIO's reader never checks chunk CRCs, so neither does the fast path.
    byte[] badCrc = plain.clone();
    badCrc[badCrc.length - 12 - 4] ^= 0x11;
    assertEquals(true, takesFastPath(badCrc));
    assertArrayEquals(throughImageIo(badCrc), pre.preprocess(badCrc));
    // An unknown row filter type (5) in an otherwise valid stream.
    byte[] rows = new byte[28 * 29];
    rows[29] = 5;
    byte[] badFilter = file.withImageData(PngFiles.deflate(rows)).bytes();
    assertNull(PlainPngDecoder.decode(badFilter, PlainPngDecoder.header(badFilter)));
  }

  @Test
  void shouldDecodeAGoodImageRightAfterABrokenOneOnTheSameThread() throws Exception {
    // The inflater is reused per thread: a stream abandoned mid-way (truncated, corrupt, too long) must leave
    // nothing behind for the next image.
    byte[] good = PngEncoder.grey(PngFiles.noise(28 * 28, 9), 28, 28);
    PngFiles file = PngFiles.parse(good);
    float[] expected = throughImageIo(good);
    for (byte[] bad : file.brokenImageData(3, 0x3C)) {
      byte[] bytes = file.withImageData(bad).bytes();
      assertNull(PlainPngDecoder.decode(bytes, PlainPngDecoder.header(bytes)));
      assertEquals(true, takesFastPath(good));
      assertArrayEquals(expected, pre.preprocess(good));
    }
  }

  @Test
  void shouldCheckTheHeaderLimitsBeforeInflatingAnything() throws Exception {
    // A 28-byte-wide header claiming 100,000 rows, with no image data to speak of: refused by its header.
    PngFiles file = PngFiles.parse(PngEncoder.grey(new byte[28 * 28], 28, 28));
    byte[] tall = file.withSize(28, 100_000).bytes();
    ImagePreprocessor bounded = new ImagePreprocessor(28, 1 << 20, 200_000, 100_000);
    RejectedRecordException e = assertThrows(RejectedRecordException.class, () -> bounded.preprocess(tall));
    assertEquals(RejectReason.IMAGE_TOO_LARGE, e.reason());
    assertEquals("image of 28x100000 = 2800000 pixels exceeds embedding.max.image.pixels=100000", e.getMessage());
  }

  /** Rebuilds PNG files chunk by chunk (with valid CRCs) to make the cases ImageIO's writer never writes. */
  private record PngFiles(byte[] header, byte[] imageData, List<byte[]> before, List<byte[]> idat,
      List<byte[]> between) {
    static byte[] noise(int n, long seed) {
      byte[] b = new byte[n];
      new Random(seed).nextBytes(b);
      return b;
    }

    static byte[] deflate(byte[] raw) {
      Deflater d = new Deflater();
      d.setInput(raw);
      d.finish();
      byte[] buf = new byte[raw.length + 64];
      int n = d.deflate(buf);
      d.end();
      return Arrays.copyOf(buf, n);
    }

    /**
     * This file's image data cut in half (a truncated upload), with the byte at 1/{@code flipAt} of it XORed with
     * {@code mask}, and replaced by a valid stream that inflates a row past the 28x28 image.
     */
    List<byte[]> brokenImageData(int flipAt, int mask) {
      byte[] flipped = imageData.clone();
      flipped[imageData.length / flipAt] ^= (byte) mask;
      return List.of(Arrays.copyOf(imageData, imageData.length / 2), flipped, deflate(new byte[29 * 28 + 29]));
    }

    static PngFiles parse(byte[] png) {
      ByteArrayOutputStream data = new ByteArrayOutputStream();
      byte[] header = null;
      ByteBuffer in = ByteBuffer.wrap(png, 8, png.length - 8);
      while (in.remaining() >= 12) {
        int length = in.getInt();
        byte[] type = new byte[4];
        in.get(type);
        byte[] body = new byte[length];
        in.get(body);
        in.getInt();
        String name = new String(type, StandardCharsets.ISO_8859_1);
        if (name.equals("IHDR")) {
          header = body;
        } else if (name.equals("IDAT")) {
          data.write(body, 0, body.length);
        }
      }
      byte[] all = data.toByteArray();
      return new PngFiles(header, all, List.of(), List.of(all), List.of());
    }

    PngFiles withImageData(byte[] data) {
      return new PngFiles(header, data, before, List.of(data), between);
    }

    PngFiles withImageDataSplitInto(int parts) {
      List<byte[]> chunks = new ArrayList<>();
      int step = (imageData.length + parts - 1) / parts;
      for (int at = 0; at < imageData.length; at += step) {
        chunks.add(Arrays.copyOfRange(imageData, at, Math.min(imageData.length, at + step)));
      }
      return new PngFiles(header, imageData, before, chunks, between);
    }

    PngFiles withChunkAfterHeader(String type, byte[] body) {
      List<byte[]> more = new ArrayList<>(before);
      more.add(chunk(type, body));
      return new PngFiles(header, imageData, more, idat, between);
    }

    PngFiles withChunkBetweenImageData(String type, byte[] body) {
      return new PngFiles(header, imageData, before, idat, List.of(chunk(type, body)));
    }

    PngFiles withHeader(int width, int height, int bitDepth, int colourType) {
      PngFiles sized = withSize(width, height);
      sized.header[8] = (byte) bitDepth;
      sized.header[9] = (byte) colourType;
      return sized;
    }

    PngFiles withSize(int width, int height) {
      byte[] h = header.clone();
      ByteBuffer.wrap(h).putInt(0, width).putInt(4, height);
      return new PngFiles(h, imageData, before, idat, between);
    }

    byte[] bytes() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(new byte[] {(byte) 137, 80, 78, 71, 13, 10, 26, 10});
      out.writeBytes(chunk("IHDR", header));
      before.forEach(out::writeBytes);
      for (int i = 0; i < idat.size(); i++) {
        if (i == 1) {
          between.forEach(out::writeBytes);
        }
        out.writeBytes(chunk("IDAT", idat.get(i)));
      }
      out.writeBytes(chunk("IEND", new byte[0]));
      return out.toByteArray();
    }

    private static byte[] chunk(String type, byte[] body) {
      ByteBuffer b = ByteBuffer.allocate(12 + body.length);
      byte[] name = type.getBytes(StandardCharsets.ISO_8859_1);
      b.putInt(body.length).put(name).put(body);
      CRC32 crc = new CRC32();
      crc.update(name);
      crc.update(body);
      b.putInt((int) crc.getValue());
      return b.array();
    }
  }
}
