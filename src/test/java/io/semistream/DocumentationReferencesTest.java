package io.semistream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.semistream.testing.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What the documentation points at exists: relative links, fully qualified classes, named tests. */
class DocumentationReferencesTest {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)#:]+)(#[^)]*)?\\)");
  private static final Pattern CLASS = Pattern.compile("io\\.semistream\\.([a-z]+\\.)+[A-Z][A-Za-z0-9]*");
  private static final Pattern TEST = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT))`");

  @Test
  void shouldPointOnlyAtFilesClassesAndTestsThatExist() throws IOException {
    Path root = ProjectPaths.root();
    List<String> broken = new ArrayList<>();
    for (Path doc : documents(root)) {
      String text = Files.readString(doc);
      Matcher link = LINK.matcher(text);
      while (link.find()) {
        if (!Files.exists(doc.getParent().resolve(link.group(1)))) {
          broken.add(root.relativize(doc) + " links to " + link.group(1));
        }
      }
      Matcher type = CLASS.matcher(text);
      while (type.find()) {
        String path = type.group().replace('.', '/') + ".java";
        if (!Files.exists(root.resolve("src/main/java").resolve(path))
            && !Files.exists(root.resolve("src/test/java").resolve(path))) {
          broken.add(root.relativize(doc) + " names " + type.group());
        }
      }
      Matcher test = TEST.matcher(text);
      while (test.find()) {
        String name = test.group(1) + ".java";
        try (Stream<Path> files = Files.walk(root.resolve("src/test/java"))) {
          if (files.noneMatch(f -> f.getFileName().toString().equals(name))) {
            broken.add(root.relativize(doc) + " names the test " + test.group(1));
          }
        }
      }
    }
    assertEquals(List.of(), broken);
  }

  private static List<Path> documents(Path root) throws IOException {
    List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md"), root.resolve("DEVELOPERS.md")));
    for (String dir : List.of("topics", "monitoring")) {
      try (Stream<Path> files = Files.walk(root.resolve(dir))) {
        files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
      }
    }
    return docs;
  }
}
