package io.semistream.zeroshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RidgeMapTest {
  private static double[][] random(Random r, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (double[] row : m) {
      for (int j = 0; j < cols; j++) {
        row[j] = r.nextGaussian();
      }
    }
    return m;
  }

  /**
   * The direct solve: the stacked least-squares problem [S - s̄; √λ I] W = [P - p̄; 0] by Householder QR, a
   * different algorithm from the map's normal equations and Cholesky.
   */
  private static double[][] directSolve(double[][] s, double[][] p, double lambda) {
    int n = s.length;
    int a = s[0].length;
    int d = p[0].length;
    double[] sMean = new double[a];
    double[] pMean = new double[d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < a; j++) {
        sMean[j] += s[i][j] / n;
      }
      for (int k = 0; k < d; k++) {
        pMean[k] += p[i][k] / n;
      }
    }
    int rows = n + a;
    double[][] x = new double[rows][a];
    double[][] y = new double[rows][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < a; j++) {
        x[i][j] = s[i][j] - sMean[j];
      }
      for (int k = 0; k < d; k++) {
        y[i][k] = p[i][k] - pMean[k];
      }
    }
    for (int j = 0; j < a; j++) {
      x[n + j][j] = Math.sqrt(lambda);
    }
    for (int c = 0; c < a; c++) {
      double norm = 0;
      for (int i = c; i < rows; i++) {
        norm += x[i][c] * x[i][c];
      }
      norm = Math.sqrt(norm);
      double alpha = x[c][c] > 0 ? -norm : norm;
      double[] v = new double[rows];
      for (int i = c; i < rows; i++) {
        v[i] = x[i][c];
      }
      v[c] -= alpha;
      double vv = 0;
      for (int i = c; i < rows; i++) {
        vv += v[i] * v[i];
      }
      for (int col = c; col < a; col++) {
        double dot = 0;
        for (int i = c; i < rows; i++) {
          dot += v[i] * x[i][col];
        }
        for (int i = c; i < rows; i++) {
          x[i][col] -= 2 * dot / vv * v[i];
        }
      }
      for (int col = 0; col < d; col++) {
        double dot = 0;
        for (int i = c; i < rows; i++) {
          dot += v[i] * y[i][col];
        }
        for (int i = c; i < rows; i++) {
          y[i][col] -= 2 * dot / vv * v[i];
        }
      }
    }
    double[][] w = new double[a][d];
    for (int col = 0; col < d; col++) {
      for (int i = a - 1; i >= 0; i--) {
        double sum = y[i][col];
        for (int k = i + 1; k < a; k++) {
          sum -= x[i][k] * w[k][col];
        }
        w[i][col] = sum / x[i][i];
      }
    }
    return w;
  }

  @Test
  void shouldEqualTheDirectSolveWithFewerClassesThanAttributes() {
    Random r = new Random(7);
    // The shipped tables' shape: 9 seen classes, 16 attributes, 64 dimensions (under-determined without ridge).
    double[][] s = random(r, 9, 16);
    double[][] p = random(r, 9, 64);
    for (double lambda : new double[] {1e-3, 1.0, 100.0}) {
      double[][] expected = directSolve(s, p, lambda);
      double[][] actual = RidgeMap.fit(s, p, lambda).weights();
      for (int j = 0; j < expected.length; j++) {
        assertArrayEquals(expected[j], actual[j], 1e-9, "lambda " + lambda + ", row " + j);
      }
    }
  }

  @Test
  void shouldRecoverAnExactLinearMapFromEnoughClasses() {
    Random r = new Random(11);
    double[][] w = random(r, 5, 8);
    double[] offset = random(r, 1, 8)[0];
    double[][] s = random(r, 40, 5);
    double[][] p = new double[40][8];
    for (int i = 0; i < 40; i++) {
      for (int k = 0; k < 8; k++) {
        p[i][k] = offset[k];
        for (int j = 0; j < 5; j++) {
          p[i][k] += s[i][j] * w[j][k];
        }
      }
    }
    RidgeMap map = RidgeMap.fit(s, p, 1e-10);
    double[] unseen = {0.3, -1, 2, 0, 0.5};
    double[] expected = offset.clone();
    for (int k = 0; k < 8; k++) {
      for (int j = 0; j < 5; j++) {
        expected[k] += unseen[j] * w[j][k];
      }
    }
    assertArrayEquals(expected, map.apply(unseen), 1e-7);
  }

  @Test
  void shouldMapTheMeanSemanticVectorToTheMeanPrototype() {
    Random r = new Random(3);
    double[][] s = random(r, 4, 6);
    double[][] p = random(r, 4, 3);
    double[] sMean = new double[6];
    double[] pMean = new double[3];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 6; j++) {
        sMean[j] += s[i][j] / 4;
      }
      for (int k = 0; k < 3; k++) {
        pMean[k] += p[i][k] / 4;
      }
    }
    assertArrayEquals(pMean, RidgeMap.fit(s, p, 5).apply(sMean), 1e-12);
  }

  @Test
  void shouldRefuseWhatCannotBeFitted() {
    assertThrows(IllegalArgumentException.class, () -> RidgeMap.fit(new double[][] {{1}}, new double[][] {{1}}, 1));
    assertThrows(IllegalArgumentException.class,
        () -> RidgeMap.fit(new double[][] {{1}, {2}}, new double[][] {{1}, {2}}, 0));
    RidgeMap map = RidgeMap.fit(new double[][] {{1, 0}, {0, 1}}, new double[][] {{1}, {2}}, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.apply(new double[] {1}));
    assertEquals("1 attributes, the map was fitted on 2", e.getMessage());
  }
}
