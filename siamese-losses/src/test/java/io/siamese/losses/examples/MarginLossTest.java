package io.siamese.losses.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.siamese.losses.BatchLoss;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
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
 * The worked example of docs/extending-losses.md: a custom {@link BatchLoss} tested against a
 * plain-Java oracle and against central finite differences, with only the public API.
 */
class MarginLossTest {

  /** The formula as loops in double precision: the oracle. */
  static double oracle(double margin, double beta, double[][] x, int[] y) {
    double sum = 0;
    int pairs = 0;
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x.length; j++) {
        if (i != j) {
          double d2 = 0;
          for (int k = 0; k < x[i].length; k++) {
            d2 += (x[i][k] - x[j][k]) * (x[i][k] - x[j][k]);
          }
          double sign = y[i] == y[j] ? 1 : -1;
          sum += Math.max(0, margin + sign * (Math.sqrt(d2) - beta));
          pairs++;
        }
      }
    }
    return pairs == 0 ? 0 : sum / pairs;
  }

  /** The loss's value (element 0) and its gradient (the rest, row-major), in float64. */
  static double[] valueAndGradient(BatchLoss loss, double[][] x, int[] y) {
    int b = x.length;
    int e = x[0].length;
    double[] flat = new double[b * e];
    for (int i = 0; i < b; i++) {
      System.arraycopy(x[i], 0, flat, i * e, e);
    }
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> in = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(b, e)));
      Placeholder<TInt32> labels = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(b)));
      var value = loss.call(tf, in, labels);
      Gradients grad = tf.gradients(value, List.of(in));
      try (TFloat64 xt = TFloat64.tensorOf(Shape.of(b, e), DataBuffers.of(flat, true, false));
          TInt32 yt = TInt32.tensorOf(Shape.of(b), DataBuffers.of(y, true, false));
          Result r =
              s.runner().feed(in, xt).feed(labels, yt).fetch(value).fetch(grad.dy(0)).run()) {
        double[] out = new double[1 + b * e];
        out[0] = ((TFloat64) r.get(0)).getDouble();
        TFloat64 gt = (TFloat64) r.get(1);
        for (int i = 0; i < b * e; i++) {
          out[1 + i] = gt.getDouble(i / e, i % e);
        }
        return out;
      }
    }
  }

  @Test
  void handWorkedValue() {
    // 1-D 0, 1.4 (class 0) and 2, 3 (class 1); margin 0.2, beta 1.2. Positive pair at 1.4 costs
    // 0.2 + 0.2 = 0.4 (both orders), the one at 1 costs 0; the negative pair at 0.6 costs
    // 0.2 + 0.6 = 0.8 (both orders), the others 0. Mean over 12 ordered pairs: 2.4 / 12 = 0.2.
    double[][] x = {{0}, {1.4}, {2}, {3}};
    int[] y = {0, 0, 1, 1};
    assertEquals(0.2, valueAndGradient(new MarginLoss(0.2, 1.2), x, y)[0], 1e-12);
    assertEquals(0.2, oracle(0.2, 1.2, x, y), 1e-12);
  }

  @Property(tries = 10)
  void matchesTheOracleAndFiniteDifferences(
      @ForAll @IntRange(min = 2, max = 6) int batch, @ForAll long seed) {
    Random r = new Random(seed);
    double[][] x = new double[batch][3];
    int[] y = new int[batch];
    for (int i = 0; i < batch; i++) {
      y[i] = r.nextInt(2);
      for (int k = 0; k < 3; k++) {
        x[i][k] = r.nextGaussian();
      }
    }
    // A hinge has no derivative at its kink: keep every pair's term clear of it.
    for (int i = 0; i < batch; i++) {
      for (int j = 0; j < batch; j++) {
        double d = i == j ? 1.2 : Math.sqrt(squaredDistance(x[i], x[j]));
        Assume.that(Math.abs(Math.abs(d - 1.2) - 0.2) > 1e-4);
      }
    }
    double[] actual = valueAndGradient(new MarginLoss(0.2, 1.2), x, y);
    assertEquals(oracle(0.2, 1.2, x, y), actual[0], 1e-9);
    double h = 1e-6;
    for (int i = 0; i < batch; i++) {
      for (int k = 0; k < 3; k++) {
        double[][] plus = copy(x);
        double[][] minus = copy(x);
        plus[i][k] += h;
        minus[i][k] -= h;
        double numeric = (oracle(0.2, 1.2, plus, y) - oracle(0.2, 1.2, minus, y)) / (2 * h);
        assertEquals(numeric, actual[1 + i * 3 + k], 1e-5, "row " + i + ", column " + k);
      }
    }
  }

  private static double squaredDistance(double[] a, double[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += (a[k] - b[k]) * (a[k] - b[k]);
    }
    return s;
  }

  private static double[][] copy(double[][] x) {
    double[][] c = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      c[i] = x[i].clone();
    }
    return c;
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new MarginLoss(-1, 1.2));
    assertThrows(IllegalArgumentException.class, () -> new MarginLoss(0.2, 0));
  }
}
