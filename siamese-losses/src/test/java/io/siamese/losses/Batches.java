package io.siamese.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Random labelled batches and the assertions the batch-loss tests share. */
final class Batches {
  private Batches() {}

  static final Distance[] DISTANCES = {
    Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.COSINE, Distances.L1
  };

  static final Reduction[] SCALAR_REDUCTIONS = {
    Reduction.MEAN, Reduction.SUM, Reduction.MEAN_OVER_NONZERO
  };

  static Arbitrary<Distance> distances() {
    return Arbitraries.of(DISTANCES);
  }

  static Arbitrary<Reduction> scalarReductions() {
    return Arbitraries.of(SCALAR_REDUCTIONS);
  }

  /** Standard normal entries. */
  static double[][] gaussian(Random r, int rows, int cols) {
    return ContrastiveLossTest.random(r, rows, cols);
  }

  /** Labels in {@code [0, classes)}, drawn uniformly. */
  static int[] labels(Random r, int b, int classes) {
    int[] y = new int[b];
    for (int i = 0; i < b; i++) {
      y[i] = r.nextInt(classes);
    }
    return y;
  }

  /** A P x K batch: labels 0 .. P-1, each K times, in a shuffled order. */
  static int[] pk(Random r, int p, int k) {
    int[] y = new int[p * k];
    for (int i = 0; i < y.length; i++) {
      y[i] = i / k;
    }
    for (int i = y.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = y[i];
      y[i] = y[j];
      y[j] = t;
    }
    return y;
  }

  /**
   * The smallest difference between two distances from one anchor to two other examples, {@code
   * |d[a][j] - d[a][k]|} for distinct {@code a, j, k}: where it is about 0, mining may pick either
   * and rounding decides.
   */
  static double smallestGap(double[][] d) {
    double gap = Double.POSITIVE_INFINITY;
    for (int a = 0; a < d.length; a++) {
      for (int j = 0; j < d.length; j++) {
        for (int k = j + 1; k < d.length; k++) {
          if (j != a && k != a) {
            gap = Math.min(gap, Math.abs(d[a][j] - d[a][k]));
          }
        }
      }
    }
    return gap;
  }

  static void assertClose(double expected, double actual, double tolerance, String what) {
    assertEquals(expected, actual, tolerance * Math.max(1, Math.abs(expected)), what);
  }

  /** Every value and every gradient entry is finite. */
  static void assertFinite(LossHarness.BatchEval e, String what) {
    for (double v : e.value64()) {
      assertTrue(Double.isFinite(v), what + ": float64 value " + v);
    }
    for (double v : e.value32()) {
      assertTrue(Double.isFinite(v), what + ": float32 value " + v);
    }
    for (double[] row : e.gradient64()) {
      for (double v : row) {
        assertTrue(Double.isFinite(v), what + ": gradient " + v);
      }
    }
  }

  static double[][] permuteRows(double[][] x, int[] order) {
    double[][] p = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      p[i] = x[order[i]].clone();
    }
    return p;
  }

  static int[] permute(int[] y, int[] order) {
    int[] p = new int[y.length];
    for (int i = 0; i < y.length; i++) {
      p[i] = y[order[i]];
    }
    return p;
  }

  static int[] shuffledOrder(Random r, int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /**
   * One cluster per class around {@code 10 e_y} (so {@code dim} must exceed every label), each
   * point within 0.1 of its centre: same-class Euclidean distances below 0.2 and cosine distances
   * below 1e-3, other-class ones above 14 and near 1.
   */
  static double[][] separated(Random r, int[] y, int dim) {
    double[][] x = new double[y.length][dim];
    for (int i = 0; i < y.length; i++) {
      for (int k = 0; k < dim; k++) {
        x[i][k] = (k == y[i] ? 10.0 : 0) + 0.1 / Math.sqrt(dim) * (2 * r.nextDouble() - 1);
      }
    }
    return x;
  }
}
