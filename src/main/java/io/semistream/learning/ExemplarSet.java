package io.semistream.learning;

import io.semistream.records.Exemplar;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The truly labelled images of one encoder version that may vote (at most {@code maxPerClass} per class, the
 * first by image id), as unit vectors in one dimension-major matrix, so that an image's cosines with all of them
 * are one vectorisable sweep ({@link PrototypeIndex#sweep}).
 */
final class ExemplarSet {
  private final int size;
  private final int dimension;
  private final double[] columns;
  private final int[] classOf;
  private final String[] classNames;

  private ExemplarSet(int dimension, double[] columns, int[] classOf, String[] classNames) {
    this.size = classOf.length;
    this.dimension = dimension;
    this.columns = columns;
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
    int k = kept.size();
    double[] columns = new double[k * dimension];
    int[] classOf = new int[kept.size()];
    for (int r = 0; r < kept.size(); r++) {
      Exemplar e = kept.get(r);
      float[] v = e.vectorView();
      double inverse = 1 / norm(v);
      for (int j = 0; j < dimension; j++) {
        columns[j * k + r] = v[j] * inverse;
      }
      classOf[r] = classIndex.computeIfAbsent(e.className(), c -> {
        names.add(c);
        return names.size() - 1;
      });
    }
    return new ExemplarSet(dimension, columns, classOf, names.toArray(String[]::new));
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
    PrototypeIndex.sweep(columns, size, dimension, u, out, 0, 0, size);
  }
}
