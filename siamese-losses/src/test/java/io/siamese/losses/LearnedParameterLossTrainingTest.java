package io.siamese.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each learned-parameter loss, trained as a model would train it: the class weights start from
 * their declared initial values, and plain gradient descent on free embeddings and on the weights
 * separates the classes, so that every embedding's nearest weight vector (by cosine) is its own
 * class's.
 */
class LearnedParameterLossTrainingTest {

  private static final int CLASSES = 4;
  private static final int DIM = 6;

  @Test
  void gradientDescentSeparatesTheClasses() {
    List<LearnedParameterLoss> losses =
        List.of(
            ArcFaceLoss.builder(CLASSES).build(),
            SubCenterArcFaceLoss.builder(CLASSES).build(),
            CosFaceLoss.builder(CLASSES).build(),
            NormalizedSoftmaxLoss.builder(CLASSES).build(),
            ProxyAnchorLoss.builder(CLASSES).build());
    int[] y = {0, 0, 1, 1, 2, 2, 3, 3, 0, 1};
    for (LearnedParameterLoss loss : losses) {
      java.util.Random r = new java.util.Random(1);
      double[][] x = Batches.gaussian(r, y.length, DIM);
      LossParameter p = loss.parameters(DIM).get(0);
      float[] init = p.initialValues(42);
      int rows = (int) p.shape()[0];
      double[][] w = new double[rows][DIM];
      for (int i = 0; i < rows; i++) {
        for (int k = 0; k < DIM; k++) {
          w[i][k] = init[i * DIM + k];
        }
      }
      double first = Double.NaN;
      double last = Double.NaN;
      for (int step = 0; step < 100; step++) {
        LearnedLossHarness.Eval e = LearnedLossHarness.eval(loss, x, y, w);
        if (step == 0) {
          first = e.value();
        }
        last = e.value();
        // Normalised steps: the scale-64 losses have large gradients, the others small ones.
        step(x, e.embeddingGradient(), 0.1);
        step(w, e.parameterGradients()[0], 0.1);
      }
      assertTrue(last < 0.5 * first, loss + ": from " + first + " to " + last);
      int k = rows / CLASSES;
      double[][] cos = LearnedOracle.classCosines(x, w, k);
      for (int i = 0; i < y.length; i++) {
        int best = 0;
        for (int c = 1; c < CLASSES; c++) {
          best = cos[i][c] > cos[i][best] ? c : best;
        }
        assertEquals(y[i], best, loss + ": example " + i + " is nearest to class " + best);
      }
    }
  }

  /** {@code m -= lr * g / |g|}, row-wise where a row's gradient is not 0. */
  private static void step(double[][] m, double[][] g, double lr) {
    for (int i = 0; i < m.length; i++) {
      double n = 0;
      for (double v : g[i]) {
        n += v * v;
      }
      if (n > 0) {
        n = Math.sqrt(n);
        for (int k = 0; k < m[i].length; k++) {
          m[i][k] -= lr * g[i][k] / n;
        }
      }
    }
  }
}
