package io.semistream.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.semistream.data.Dataset;
import io.semistream.data.DatasetName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayPlanTest {
  /** 1,000 images: class = index % 10. */
  private static Dataset synthetic() {
    int n = 1000;
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      labels[i] = (byte) (i % 10);
    }
    return new Dataset(DatasetName.FASHION_MNIST, 28, new byte[n * 784], labels,
        DatasetName.FASHION_MNIST.classNames());
  }

  @Test
  void shouldLabelTheSameFractionOfEveryClassWhenStratified() {
    Dataset d = synthetic();
    ReplayPlan plan = ReplayPlan.of(d, ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLabelFraction(0.05));
    assertEquals(1000, plan.size());
    int[] perClass = new int[10];
    for (int i = 0; i < plan.size(); i++) {
      if (plan.labelled()[i]) {
        perClass[d.label(plan.order()[i])]++;
      }
    }
    for (int c = 0; c < 10; c++) {
      assertEquals(5, perClass[c], "class " + c);
    }
  }

  @Test
  void shouldNeverLabelHeldOutClassesAndNeverSendUnsentOnes() {
    Dataset d = synthetic();
    ReplayPlan plan = ReplayPlan.of(d, ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLabelFraction(0.5)
        .withHoldout(Set.of(9), Set.of(8)));
    assertEquals(900, plan.size());
    boolean sawNine = false;
    for (int i = 0; i < plan.size(); i++) {
      int c = d.label(plan.order()[i]);
      assertTrue(c != 8, "class 8 must never be sent");
      if (c == 9) {
        sawNine = true;
        assertFalse(plan.labelled()[i], "class 9 must never be labelled");
      }
    }
    assertTrue(sawNine);
  }

  @Test
  void shouldBeDeterministicForASeedAndHonourTheLimit() {
    Dataset d = synthetic();
    ReplayOptions o = ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(100);
    ReplayPlan a = ReplayPlan.of(d, o);
    ReplayPlan b = ReplayPlan.of(d, o);
    assertArrayEquals(a.order(), b.order());
    assertArrayEquals(a.labelled(), b.labelled());
    assertEquals(100, a.size());
    assertEquals(100, new HashSet<>(java.util.Arrays.stream(a.order()).boxed().toList()).size(), "no repeats");
  }

  @Test
  void shouldDrawAboutTheFractionWhenNotStratified() {
    Dataset d = synthetic();
    ReplayOptions o = new ReplayOptions(DatasetName.FASHION_MNIST, 0, 0, 0.2, false, java.time.Duration.ZERO,
        Set.of(), Set.of(), 7, "x", null, false);
    long labelled = ReplayPlan.of(d, o).labelCount();
    assertTrue(labelled > 150 && labelled < 250, "got " + labelled);
  }

  @Test
  void shouldWriteAGroundTruthRowPerSentImage(@TempDir Path dir) throws IOException {
    Dataset d = synthetic();
    ReplayOptions o = ReplayOptions.defaults(DatasetName.FASHION_MNIST).withLimit(20).withLabelFraction(0.1);
    ReplayPlan plan = ReplayPlan.of(d, o);
    Path file = dir.resolve("gt.csv");
    Replayer.writeGroundTruth(d, o, plan, file);
    List<String> lines = Files.readAllLines(file);
    assertEquals("id,class_index,class_name,labelled", lines.get(0));
    assertEquals(21, lines.size());
    int first = plan.order()[0];
    assertEquals(Replayer.imageId(o, first) + "," + (first % 10) + ",\"" + d.className(first) + "\","
        + plan.labelled()[0], lines.get(1));
  }

  @Test
  void shouldRejectImpossibleOptions() {
    assertThrows(IllegalArgumentException.class, () -> ReplayOptions.defaults(DatasetName.MNIST)
        .withLabelFraction(1.5));
    assertThrows(IllegalArgumentException.class, () -> ReplayOptions.defaults(DatasetName.MNIST)
        .withHoldout(Set.of(10), Set.of()));
  }
}
