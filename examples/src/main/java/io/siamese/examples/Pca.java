package io.siamese.examples;

import java.util.SplittableRandom;

/**
 * Projects vectors onto their first two principal components (power iteration with deflation on
 * the covariance matrix), for 2-D pictures of embeddings. Plain Java; fine for a few thousand
 * vectors of a few hundred dimensions.
 */
final class Pca {
  private Pca() {}

  /**
   * @param rows n vectors of equal length d, n >= 2
   * @return n points of 2 coordinates: the projections on the first and second component
   */
  static double[][] project2d(float[][] rows) {
    int n = rows.length;
    int d = rows[0].length;
    double[] mean = new double[d];
    for (float[] r : rows) {
      for (int k = 0; k < d; k++) {
        mean[k] += r[k] / (double) n;
      }
    }
    double[][] cov = new double[d][d];
    for (float[] r : rows) {
      for (int i = 0; i < d; i++) {
        double ci = r[i] - mean[i];
        for (int j = 0; j < d; j++) {
          cov[i][j] += ci * (r[j] - mean[j]) / (n - 1);
        }
      }
    }
    double[] first = principal(cov, 1);
    double lambda = rayleigh(cov, first);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        cov[i][j] -= lambda * first[i] * first[j];
      }
    }
    double[] second = principal(cov, 2);
    double[][] out = new double[n][2];
    for (int p = 0; p < n; p++) {
      for (int k = 0; k < d; k++) {
        double c = rows[p][k] - mean[k];
        out[p][0] += c * first[k];
        out[p][1] += c * second[k];
      }
    }
    return out;
  }

  private static double[] principal(double[][] m, long seed) {
    int d = m.length;
    SplittableRandom random = new SplittableRandom(seed);
    double[] v = new double[d];
    for (int k = 0; k < d; k++) {
      v[k] = random.nextDouble() - 0.5;
    }
    normalise(v);
    for (int iteration = 0; iteration < 500; iteration++) {
      double[] next = new double[d];
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          next[i] += m[i][j] * v[j];
        }
      }
      if (normalise(next) == 0) {
        return v;
      }
      v = next;
    }
    return v;
  }

  static double rayleigh(double[][] m, double[] v) {
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      for (int j = 0; j < v.length; j++) {
        s += v[i] * m[i][j] * v[j];
      }
    }
    return s;
  }

  private static double normalise(double[] v) {
    double norm = 0;
    for (double x : v) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) {
      for (int k = 0; k < v.length; k++) {
        v[k] /= norm;
      }
    }
    return norm;
  }
}
