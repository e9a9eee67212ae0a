package io.semistream.learning;

import io.semistream.records.Exemplar;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The truly labelled images of one encoder version that may vote (at most {@code maxPerClass} per class, the
 * first by image id), as unit vectors in one row-major matrix, so that an image's cosines with all of them are
 * one sweep.
 */
final class ExemplarSet {
  private final int size;
  private final int dimension;
  private final float[] rows;
  private final int[] classOf;
  private final String[] classNames;

  private ExemplarSet(int dimension, float[] rows, int[] classOf, String[] classNames) {
    this.size = classOf.length;
    this.dimension = dimension;
    this.rows = rows;
    this.classOf = classOf;
    this.classNames = classNames;
  }

  /**
   * @param exemplars in image-id order (the store's), of one encoder version and one dimension
   * @return null when none has a non-zero vector
   */
  static ExemplarSet of(List<Exemplar> exemplars, int maxPerClass) {
    Map<String, Integer> classIndex = new HashMap<>();
    List<String> names = new ArrayList<>();
    Map<String, Integer> taken = new HashMap<>();
    List<Exemplar> kept = new ArrayList<>();
    for (Exemplar e : exemplars) {
      double norm = norm(e.vectorView());
      if (norm > 0 && taken.merge(e.className(), 1, Integer::sum) <= maxPerClass) {
        kept.add(e);
      }
    }
    if (kept.isEmpty()) {
      return null;
    }
    int dimension = kept.get(0).vectorView().length;
    float[] rows = new float[kept.size() * dimension];
    int[] classOf = new int[kept.size()];
    for (int r = 0; r < kept.size(); r++) {
      Exemplar e = kept.get(r);
      float[] v = e.vectorView();
      double inverse = 1 / norm(v);
      for (int j = 0; j < dimension; j++) {
        rows[r * dimension + j] = (float) (v[j] * inverse);
      }
      classOf[r] = classIndex.computeIfAbsent(e.className(), c -> {
        names.add(c);
        return names.size() - 1;
      });
    }
    return new ExemplarSet(dimension, rows, classOf, names.toArray(String[]::new));
  }

  private static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }

  int size() {
    return size;
  }

  int dimension() {
    return dimension;
  }

  /** The class of exemplar {@code r}. */
  String className(int r) {
    return classNames[classOf[r]];
  }

  /** {@code out[r] = u . exemplar_r} for a unit vector {@code u}: the cosines. */
  void cosines(float[] u, double[] out) {
    for (int r = 0; r < size; r++) {
      int base = r * dimension;
      double sum = 0;
      for (int j = 0; j < dimension; j++) {
        sum += u[j] * rows[base + j];
      }
      out[r] = sum;
    }
  }
}
