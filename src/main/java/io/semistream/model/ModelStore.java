package io.semistream.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Versioned model directories: {@code <dir>/v1/}, {@code <dir>/v2/}, ... each holding model.json and the
 * weights. A version directory is complete once model.json exists (it is written last), so a reader never
 * picks up a half-saved model.
 */
public final class ModelStore {
  public static final String DESCRIPTOR = "model.json";
  private static final Pattern VERSION_DIR = Pattern.compile("v(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path root;

  public ModelStore(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /** The newest complete version, if any. */
  public Optional<Path> latest() throws IOException {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> version(d) > 0 && Files.isRegularFile(d.resolve(DESCRIPTOR)))
          .max((a, b) -> Integer.compare(version(a), version(b)));
    }
  }

  /** The file naming the version to serve, rewritten atomically on each promotion. */
  public static final String SERVING = "SERVING";

  /**
   * The version to serve: the one {@link #SERVING} names (the online trainer's last promotion), else the newest.
   * Rejected candidates are never served: they are newer than the serving version but not named by it.
   */
  public Optional<Path> serving() throws IOException {
    Path pointer = root.resolve(SERVING);
    if (Files.isRegularFile(pointer)) {
      Path dir = versionDir(Integer.parseInt(Files.readString(pointer).trim()));
      if (Files.isRegularFile(dir.resolve(DESCRIPTOR))) {
        return Optional.of(dir);
      }
    }
    return latest();
  }

  /** Names {@code version} as the one to serve (atomic replace, so readers see the old or the new one). */
  public void promote(int version) throws IOException {
    Files.createDirectories(root);
    Path tmp = root.resolve(SERVING + ".tmp");
    Files.writeString(tmp, Integer.toString(version));
    Files.move(tmp, root.resolve(SERVING), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** Copies the version directory {@code from} (weights and model.json) into this store as its version number. */
  public Path importVersion(Path from) throws IOException {
    Path to = versionDir(readDescriptor(from).version());
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return to;
  }

  public int nextVersion() throws IOException {
    if (!Files.isDirectory(root)) {
      return 1;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.mapToInt(ModelStore::version).max().orElse(0) + 1;
    }
  }

  public Path versionDir(int version) {
    return root.resolve("v" + version);
  }

  static int version(Path dir) {
    Matcher m = VERSION_DIR.matcher(dir.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(1)) : 0;
  }

  public static ModelDescriptor readDescriptor(Path versionDir) throws IOException {
    return JSON.readValue(versionDir.resolve(DESCRIPTOR).toFile(), ModelDescriptor.class);
  }

  public static void writeDescriptor(Path versionDir, ModelDescriptor descriptor) throws IOException {
    Path tmp = versionDir.resolve(DESCRIPTOR + ".tmp");
    JSON.writeValue(tmp.toFile(), descriptor);
    Files.move(tmp, versionDir.resolve(DESCRIPTOR), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
