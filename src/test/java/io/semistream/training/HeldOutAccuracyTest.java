package io.semistream.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeldOutAccuracyTest {
  @Test
  void shouldRankTheTrueClassAmongTheClassMeansWithTiesAgainstIt() {
    float[] q = {1, 0};
    double[] right = {2, 0};
    double[] near = {1, 1};
    double[] far = {-1, 0};
    assertEquals(1, HeldOutAccuracy.rank(q, right, List.of(right, near, far)));
    assertEquals(2, HeldOutAccuracy.rank(q, near, List.of(right, near, far)));
    assertEquals(3, HeldOutAccuracy.rank(q, far, List.of(right, near, far)));
    double[] sameDirection = {5, 0};
    assertEquals(2, HeldOutAccuracy.rank(q, right, List.of(right, sameDirection)), "a tie is not a win");
  }

  @Test
  void shouldRankEachQueryAgainstTheTrainingMeansAndAClassWithoutTrainingLabelsLast() {
    List<float[]> train = List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {0.6f, 0.8f});
    List<String> trainClasses = List.of("a", "b", "c");
    List<float[]> queries = List.of(new float[] {1, 0}, new float[] {0.8f, 0.6f}, new float[] {0, 1},
        new float[] {1, 0});
    assertArrayEquals(new int[] {1, 2, 1, 4},
        HeldOutAccuracy.trueClassRanks(train, trainClasses, queries, List.of("a", "a", "b", "d")),
        "(0.8, 0.6) is nearer c's mean (cos 0.96) than its own class a's (0.8); d has no training label");
  }

  @Test
  void shouldEstimateAnUntrainedVersionsAccuracyByLeavingEachLabelOut() {
    // Class a at x = 1 (three labels, one on b's side), class b at y = 1 (two labels), class c (one label).
    List<float[]> v = List.of(new float[] {1, 0}, new float[] {1, 0}, new float[] {0, 1},
        new float[] {0, 1}, new float[] {0, 1}, new float[] {1, 0});
    List<String> classes = List.of("a", "a", "a", "b", "b", "c");
    // a1, a2: a without itself = (1, 1) vs c = (1, 0): c is nearer (cos 1 > 0.71): wrong. a3: a without it = (2, 0)
    // vs b = (0, 2): b is nearer: wrong. b1, b2: b without itself = (0, 1) vs a = (2, 1): right. c has one label.
    assertEquals(2 / 5.0, HeldOutAccuracy.leaveOneOut(v, classes), 1e-12);
    // Leaving the image out matters: with itself in its mean, a1 = (1, 0) would be right (a = (1, 1), cos 0.71,
    // against b = (1.2, 1.6), cos 0.6); without itself a = (0, 1), cos 0: wrong. b's labels are right either way.
    List<float[]> w = List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {0.6f, 0.8f},
        new float[] {0.6f, 0.8f});
    assertEquals(2 / 4.0, HeldOutAccuracy.leaveOneOut(w, List.of("a", "a", "b", "b")), 1e-12);
    assertTrue(Double.isNaN(HeldOutAccuracy.leaveOneOut(List.of(new float[] {1, 0}), List.of("a"))),
        "no class with two labels: nothing to estimate");
  }
}
