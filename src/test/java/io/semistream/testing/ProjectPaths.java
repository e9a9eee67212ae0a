package io.semistream.testing;

import java.nio.file.Path;

/** Paths of the checkout the tests run in (surefire/failsafe pass semistream.project.dir). */
public final class ProjectPaths {
  private ProjectPaths() {
  }

  public static Path root() {
    return Path.of(System.getProperty("semistream.project.dir", ".")).toAbsolutePath();
  }

  public static Path dataDir() {
    return root().resolve("data");
  }
}
