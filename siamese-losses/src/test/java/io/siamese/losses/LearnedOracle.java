package io.siamese.losses;

/**
 * Plain-Java, double-precision reference formulas of the learned-parameter losses, written as loops
 * from the papers and pytorch-metric-learning's definitions; no code shared with the graphs (the
 * ArcFace margin, for one, goes through {@code acos} and {@code cos} here).
 */
final class LearnedOracle {
  private LearnedOracle() {}

  /** Cosine with both norms floored at 1e-12, as the losses document. */
  static double cos(double[] a, double[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int k = 0; k < a.length; k++) {
      dot += a[k] * b[k];
      na += a[k] * a[k];
      nb += b[k] * b[k];
    }
    return dot / (Math.max(Math.sqrt(na), 1e-12) * Math.max(Math.sqrt(nb), 1e-12));
  }

  /** {@code cos[i][c]}: the largest cosine of example i with the k sub-centres of class c. */
  static double[][] classCosines(double[][] x, double[][] w, int subCentres) {
    int classes = w.length / subCentres;
    double[][] c = new double[x.length][classes];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < classes; j++) {
        double best = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < subCentres; k++) {
          best = Math.max(best, cos(x[i], w[j * subCentres + k]));
        }
        c[i][j] = best;
      }
    }
    return c;
  }

  /** Mean softmax cross-entropy of logits {@code z[i][c]} against labels; 0 for no rows. */
  static double meanCrossEntropy(double[][] z, int[] y) {
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      double total = 0;
      for (double v : z[i]) {
        total += Math.exp(v);
      }
      sum += Math.log(total) - z[i][y[i]];
    }
    return z.length == 0 ? 0 : sum / z.length;
  }

  /** ArcFace's target logit before scaling: cos(theta + m), or the large-angle rule's value. */
  static double arcTarget(double c, double m, ArcFaceLoss.LargeAngle rule) {
    double theta = Math.acos(Math.max(-1, Math.min(1, c)));
    if (rule == ArcFaceLoss.LargeAngle.EASY_MARGIN) {
      return c > 0 ? Math.cos(theta + m) : c;
    }
    return theta <= Math.PI - m ? Math.cos(theta + m) : c - m * Math.sin(m);
  }

  static double subCenterArcFace(
      double[][] x,
      int[] y,
      double[][] w,
      int subCentres,
      double m,
      double s,
      ArcFaceLoss.LargeAngle rule) {
    double[][] c = classCosines(x, w, subCentres);
    double[][] z = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      z[i] = new double[c[i].length];
      for (int j = 0; j < c[i].length; j++) {
        z[i][j] = s * (j == y[i] ? arcTarget(c[i][j], m, rule) : c[i][j]);
      }
    }
    return meanCrossEntropy(z, y);
  }

  static double arcFace(
      double[][] x, int[] y, double[][] w, double m, double s, ArcFaceLoss.LargeAngle rule) {
    return subCenterArcFace(x, y, w, 1, m, s, rule);
  }

  static double cosFace(double[][] x, int[] y, double[][] w, double m, double s) {
    double[][] c = classCosines(x, w, 1);
    double[][] z = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      z[i] = new double[c[i].length];
      for (int j = 0; j < c[i].length; j++) {
        z[i][j] = s * (c[i][j] - (j == y[i] ? m : 0));
      }
    }
    return meanCrossEntropy(z, y);
  }

  static double normalizedSoftmax(double[][] x, int[] y, double[][] w, double temperature) {
    double[][] c = classCosines(x, w, 1);
    double[][] z = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      z[i] = new double[c[i].length];
      for (int j = 0; j < c[i].length; j++) {
        z[i][j] = c[i][j] / temperature;
      }
    }
    return meanCrossEntropy(z, y);
  }

  /** Kim et al. (2020), eq. 4; the positive term over the proxies with positives, 0 if none. */
  static double proxyAnchor(double[][] x, int[] y, double[][] proxies, double delta, double alpha) {
    double pos = 0;
    double neg = 0;
    int withPositives = 0;
    for (int p = 0; p < proxies.length; p++) {
      double pullSum = 0;
      double pushSum = 0;
      boolean any = false;
      for (int i = 0; i < x.length; i++) {
        double s = cos(x[i], proxies[p]);
        if (y[i] == p) {
          pullSum += Math.exp(-alpha * (s - delta));
          any = true;
        } else {
          pushSum += Math.exp(alpha * (s + delta));
        }
      }
      if (any) {
        pos += Math.log(1 + pullSum);
        withPositives++;
      }
      neg += Math.log(1 + pushSum);
    }
    return (withPositives == 0 ? 0 : pos / withPositives) + neg / proxies.length;
  }
}
