package io.siamese.losses.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.siamese.losses.LearnedParameterLoss;
import io.siamese.losses.LossParameter;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The learned-parameter example of docs/extending-losses.md, tested with only the public API:
 * against a plain-Java oracle, and its gradients with respect to the embeddings and to both of
 * its parameters against central finite differences.
 */
class LearnedScaleSoftmaxLossTest {

  /** The formula as loops in double precision: the oracle. */
  static double oracle(double[][] x, int[] y, double[][] w, double logScale) {
    double s = Math.exp(logScale);
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      double total = 0;
      double target = 0;
      for (int c = 0; c < w.length; c++) {
        double z = s * cosine(x[i], w[c]);
        total += Math.exp(z);
        target = c == y[i] ? z : target;
      }
      sum += Math.log(total) - target;
    }
    return x.length == 0 ? 0 : sum / x.length;
  }

  static double cosine(double[] a, double[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int k = 0; k < a.length; k++) {
      dot += a[k] * b[k];
      na += a[k] * a[k];
      nb += b[k] * b[k];
    }
    return dot / Math.sqrt(na * nb);
  }

  /**
   * The loss (element 0 of the result), then its gradient with respect to the embeddings, the
   * class weights and the log-scale, each flattened, in float64.
   */
  static double[][] run(LearnedParameterLoss loss, double[][] x, int[] y, double[][] w, double s) {
    int b = x.length;
    int e = w[0].length;
    try (Graph g = new Graph();
        Session session = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> xp = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1, e)));
      Placeholder<TInt32> yp = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      // In a model these two are variables, initialised from loss.parameters(e).
      Placeholder<TFloat64> wp =
          tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(w.length, e)));
      Placeholder<TFloat64> sp =
          tf.placeholder(TFloat64.class, Placeholder.shape(Shape.scalar()));
      Operand<TFloat64> value = loss.call(tf, xp, yp, List.of(wp, sp));
      Gradients grad = tf.gradients(value, List.of(xp, wp, sp));
      try (TFloat64 xt = TFloat64.tensorOf(Shape.of(b, e), DataBuffers.of(flat(x), true, false));
          TInt32 yt = TInt32.tensorOf(Shape.of(b), DataBuffers.of(y, true, false));
          TFloat64 wt =
              TFloat64.tensorOf(Shape.of(w.length, e), DataBuffers.of(flat(w), true, false));
          TFloat64 st = TFloat64.scalarOf(s);
          Result r =
              session
                  .runner()
                  .feed(xp, xt)
                  .feed(yp, yt)
                  .feed(wp, wt)
                  .feed(sp, st)
                  .fetch(value)
                  .fetch(grad.dy(0))
                  .fetch(grad.dy(1))
                  .fetch(grad.dy(2))
                  .run()) {
        double[][] out = new double[4][];
        for (int i = 0; i < 4; i++) {
          TFloat64 t = (TFloat64) r.get(i);
          out[i] = new double[(int) t.shape().size()];
          t.copyTo(DataBuffers.of(out[i], false, false));
        }
        return out;
      }
    }
  }

  static double[] flat(double[][] m) {
    int e = m[0].length;
    double[] f = new double[m.length * e];
    for (int i = 0; i < m.length; i++) {
      System.arraycopy(m[i], 0, f, i * e, e);
    }
    return f;
  }

  @Test
  void workedExample() {
    // x = (1, 0) of class 0, W = [(1, 1), (0, 1)], scale 2: logits (1.4142, 0).
    double[][] x = {{1, 0}};
    double[][] w = {{1, 1}, {0, 1}};
    double expected = Math.log1p(Math.exp(-2 * Math.sqrt(0.5)));
    assertEquals(0.21762172158174373, expected, 1e-15);
    double[][] r = run(new LearnedScaleSoftmaxLoss(2, 2), x, new int[] {0}, w, Math.log(2));
    assertEquals(expected, r[0][0], 1e-12);
  }

  @Test
  void itDeclaresItsParametersWithTheirInitialValues() {
    List<LossParameter> p = new LearnedScaleSoftmaxLoss(10, 16).parameters(64);
    assertEquals(
        List.of("class_weights", "log_scale"), p.stream().map(LossParameter::name).toList());
    assertArrayEquals(new long[] {10, 64}, p.get(0).shape());
    assertArrayEquals(new long[0], p.get(1).shape());
    assertArrayEquals(new float[] {(float) Math.log(16)}, p.get(1).initialValues(0));
    assertEquals(640, p.get(0).initialValues(0).length);
  }

  @Property(tries = 15)
  void equalsTheOracleWithFiniteDifferenceGradients(
      @ForAll @IntRange(min = 1, max = 6) int batch,
      @ForAll @IntRange(min = 2, max = 4) int classes,
      @ForAll long seed) {
    Random r = new Random(seed);
    int e = 3;
    double[][] x = gaussian(r, batch, e);
    double[][] w = gaussian(r, classes, e);
    int[] y = new int[batch];
    for (int i = 0; i < batch; i++) {
      y[i] = r.nextInt(classes);
    }
    double logScale = r.nextGaussian();
    double[][] got = run(new LearnedScaleSoftmaxLoss(classes, 1), x, y, w, logScale);
    assertEquals(oracle(x, y, w, logScale), got[0][0], 1e-9);
    double h = 1e-6;
    for (int i = 0; i < batch; i++) {
      for (int k = 0; k < e; k++) {
        double keep = x[i][k];
        x[i][k] = keep + h;
        double up = oracle(x, y, w, logScale);
        x[i][k] = keep - h;
        double down = oracle(x, y, w, logScale);
        x[i][k] = keep;
        assertEquals((up - down) / (2 * h), got[1][i * e + k], 1e-6, "d/dx");
      }
    }
    for (int c = 0; c < classes; c++) {
      for (int k = 0; k < e; k++) {
        double keep = w[c][k];
        w[c][k] = keep + h;
        double up = oracle(x, y, w, logScale);
        w[c][k] = keep - h;
        double down = oracle(x, y, w, logScale);
        w[c][k] = keep;
        assertEquals((up - down) / (2 * h), got[2][c * e + k], 1e-6, "d/dW");
      }
    }
    double ds = (oracle(x, y, w, logScale + h) - oracle(x, y, w, logScale - h)) / (2 * h);
    assertEquals(ds, got[3][0], 1e-6, "d/d log_scale");
  }

  static double[][] gaussian(Random r, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (double[] row : m) {
      for (int k = 0; k < cols; k++) {
        row[k] = r.nextGaussian();
      }
    }
    return m;
  }
}
