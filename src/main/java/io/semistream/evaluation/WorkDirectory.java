package io.semistream.evaluation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** The scratch directory of a measurement (a broker's log, Streams state): removed whole when it ends. */
public final class WorkDirectory {
  private WorkDirectory() {
  }

  /** Deletes {@code dir} and everything under it, children first. */
  public static void delete(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
