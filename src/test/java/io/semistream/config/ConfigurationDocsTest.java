package io.semistream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.testing.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationDocsTest {

  @Test
  void shouldDocumentEveryKeyInTheReadmeReference() throws IOException {
    String readme = Files.readString(ProjectPaths.root().resolve("README.md"));
    for (String key : SemistreamConfig.DEFINITION.names()) {
      assertTrue(readme.contains("| `" + key + "` |"), "README's configuration reference lacks " + key);
    }
  }

  @Test
  void shouldShipAnExampleFileThatEqualsTheDefaults() {
    SemistreamConfig example = SemistreamConfig.load(
        ProjectPaths.root().resolve("config").resolve("semistream.properties"), Map.of());
    assertEquals(SemistreamConfig.defaults(), example);
  }
}
