package io.semistream.vectors;

/**
 * Unit vectors and the distances between them (Euclidean on the unit sphere: sqrt(2 - 2 cos)), shared by the
 * capabilities that compare embeddings as directions (discovery, asking).
 */
public final class Vectors {
  private Vectors() {
  }

  public static double[] unit(double[] v) {
    double n = norm(v);
    double[] out = new double[v.length];
    if (n > 0) {
      for (int i = 0; i < v.length; i++) {
        out[i] = v[i] / n;
      }
    }
    return out;
  }

  public static double[] unit(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return unit(d);
  }

  public static double norm(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  public static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** Between unit vectors. */
  public static double distance(double[] a, double[] b) {
    return Math.sqrt(Math.max(0, 2 - 2 * dot(a, b)));
  }
}
