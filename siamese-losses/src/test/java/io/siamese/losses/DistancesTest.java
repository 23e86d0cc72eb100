package io.siamese.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

class DistancesTest {

  @Provide
  Arbitrary<Distance> distances() {
    return Arbitraries.of(Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.COSINE, Distances.L1);
  }

  private static LossHarness.GraphFunction rowwise(Distance d) {
    return new LossHarness.GraphFunction() {
      @Override
      public <T extends TNumber> Operand<T> build(Ops tf, Operand<T> l, Operand<T> r, Operand<T> y) {
        return d.rowwise(tf, l, r);
      }
    };
  }

  private static LossHarness.GraphFunction pairwise(Distance d) {
    return new LossHarness.GraphFunction() {
      @Override
      public <T extends TNumber> Operand<T> build(Ops tf, Operand<T> l, Operand<T> r, Operand<T> y) {
        return d.pairwise(tf, l);
      }
    };
  }

  @Property(tries = 40)
  void rowwisePairwiseAndPlainJavaAgreeWithTheOracle(
      @ForAll("distances") Distance d,
      @ForAll @IntRange(min = 1, max = 7) int batch,
      @ForAll @IntRange(min = 2, max = 6) int dim,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] a = ContrastiveLossTest.random(r, batch, dim);
    double[][] b = ContrastiveLossTest.random(r, batch, dim);
    double[] none = new double[batch];
    double[] rows = LossHarness.run64(rowwise(d), a, b, none);
    double[] matrix = LossHarness.run64(pairwise(d), a, b, none);
    float[][] af = LossHarness.toFloat(a);
    float[][] bf = LossHarness.toFloat(b);
    for (int i = 0; i < batch; i++) {
      double expected = Oracle.distance(d, a[i], b[i]);
      assertEquals(expected, rows[i], 1e-9 * Math.max(1, expected));
      double fromFloats = Oracle.distance(d, toDouble(af[i]), toDouble(bf[i]));
      assertEquals(fromFloats, d.between(af[i], bf[i]), 1e-9 * Math.max(1, fromFloats));
      for (int j = 0; j < batch; j++) {
        double e = i == j ? 0 : Oracle.distance(d, a[i], a[j]);
        assertEquals(e, matrix[i * batch + j], 1e-7 * Math.max(1, e), d + " (" + i + ", " + j + ")");
      }
    }
  }

  @Test
  void pairwiseMatricesOfRepeatedRowsHaveFiniteGradients() {
    double[][] x = {{1, 2, 3}, {1, 2, 3}, {0, 0, 0}};
    for (Distance d : List.of(Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.COSINE)) {
      LossHarness.GraphFunction sum =
          new LossHarness.GraphFunction() {
            @Override
            public <T extends TNumber> Operand<T> build(Ops tf, Operand<T> l, Operand<T> r, Operand<T> y) {
              // r - r keeps the harness's second input reachable; its gradient is 0.
              Operand<T> x = tf.math.add(l, tf.math.sub(r, r));
              return tf.reduceSum(d.pairwise(tf, x), tf.constant(new int[] {0, 1}));
            }
          };
      double[][][] g = LossHarness.gradient64(sum, x, LossHarness.copy(x), new double[3]);
      for (double[] row : g[0]) {
        for (double v : row) {
          assertTrue(Double.isFinite(v), d + " gave a non-finite gradient");
        }
      }
    }
  }

  @Test
  void meanOverNonZeroOfAllZeroTermsIsZeroNotNaN() {
    LossHarness.GraphFunction f =
        new LossHarness.GraphFunction() {
          @Override
          public <T extends TNumber> Operand<T> build(Ops tf, Operand<T> l, Operand<T> r, Operand<T> y) {
            return Reduction.MEAN_OVER_NONZERO.apply(tf, Distances.EUCLIDEAN.rowwise(tf, l, r));
          }
        };
    double[][] x = {{1, 2}, {3, 4}};
    assertEquals(0.0, LossHarness.run64(f, x, LossHarness.copy(x), new double[2])[0], 0.0);
    // Terms 0 and 3 (from (3,4) to (6,4)): the mean over the one non-zero term is 3.
    assertEquals(3.0, LossHarness.run64(f, x, new double[][] {{1, 2}, {6, 4}}, new double[2])[0], 1e-12);
  }

  @Test
  void namesRoundTrip() {
    for (Distance d : List.of(Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.COSINE, Distances.L1)) {
      assertEquals(d, Distances.byName(d.name()));
    }
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
