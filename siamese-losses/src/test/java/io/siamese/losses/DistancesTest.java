package io.siamese.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

class DistancesTest {

  @Provide
  Arbitrary<Distance> distances() {
    return Arbitraries.of(
        Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.COSINE, Distances.L1);
  }

  private static LossHarness.GraphFunction rowwise(Distance d) {
    return new LossHarness.GraphFunction() {
      @Override
      public <T extends TNumber> Operand<T> build(
          Ops tf, Operand<T> l, Operand<T> r, Operand<T> y) {
        return d.rowwise(tf, l, r);
      }
    };
  }

  private static LossHarness.GraphFunction pairwise(Distance d) {
    return new LossHarness.GraphFunction() {
      @Override
      public <T extends TNumber> Operand<T> build(
          Ops tf, Operand<T> l, Operand<T> r, Operand<T> y) {
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
        assertEquals(
            e, matrix[i * batch + j], 1e-7 * Math.max(1, e), d + " (" + i + ", " + j + ")");
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
            public <T extends TNumber> Operand<T> build(
                Ops tf, Operand<T> l, Operand<T> r, Operand<T> y) {
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
          public <T extends TNumber> Operand<T> build(
              Ops tf, Operand<T> l, Operand<T> r, Operand<T> y) {
            return Reduction.MEAN_OVER_NONZERO.apply(tf, Distances.EUCLIDEAN.rowwise(tf, l, r));
          }
        };
    double[][] x = {{1, 2}, {3, 4}};
    assertEquals(0.0, LossHarness.run64(f, x, LossHarness.copy(x), new double[2])[0], 0.0);
    // Terms 0 and 3 (from (3,4) to (6,4)): the mean over the one non-zero term is 3.
    assertEquals(
        3.0, LossHarness.run64(f, x, new double[][] {{1, 2}, {6, 4}}, new double[2])[0], 1e-12);
  }

  @Property(tries = 30)
  void betweenAgreesWithTheFloat32Graph(
      @ForAll("distances") Distance d,
      @ForAll @IntRange(min = 1, max = 6) int batch,
      @ForAll @IntRange(min = 1, max = 8) int dim,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] a = ContrastiveLossTest.random(r, batch, dim);
    double[][] b = ContrastiveLossTest.random(r, batch, dim);
    double[] rows = LossHarness.run32(rowwise(d), a, b, new double[batch]);
    double[] matrix = LossHarness.run32(pairwise(d), a, b, new double[batch]);
    float[][] af = LossHarness.toFloat(a);
    float[][] bf = LossHarness.toFloat(b);
    for (int i = 0; i < batch; i++) {
      double expected = d.between(af[i], bf[i]);
      assertEquals(expected, rows[i], 1e-4 * Math.max(1, expected), d + " row " + i);
      for (int j = 0; j < batch; j++) {
        double e = i == j ? 0 : d.between(af[i], af[j]);
        // The pairwise Euclidean expansion loses digits to cancellation in float32: an absolute
        // error of about 1e-7 |x|^2 in D2, which sqrt turns into ~1e-7 |x|^2 / (2 d).
        double tol = d == Distances.EUCLIDEAN ? 1e-3 : 1e-4;
        assertEquals(e, matrix[i * batch + j], tol * Math.max(1, e), d + " (" + i + ", " + j + ")");
      }
    }
  }

  @Test
  void identicalRowsHaveZeroDistanceAndAZeroGradient() {
    double[][] x = {{0.2, -0.4, 1.0}, {0.5, 0.5, 0.5}, {0, 0, 0}};
    for (Distance d :
        List.of(Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.COSINE, Distances.L1)) {
      LossHarness.GraphFunction sum =
          new LossHarness.GraphFunction() {
            @Override
            public <T extends TNumber> Operand<T> build(
                Ops tf, Operand<T> l, Operand<T> r, Operand<T> y) {
              return tf.reduceSum(d.rowwise(tf, l, r), tf.constant(0));
            }
          };
      double[][] y = LossHarness.copy(x);
      double[] rows = LossHarness.run64(rowwise(d), x, y, new double[3]);
      // The zero row is at cosine distance 1 from itself: its direction is undefined.
      double[] expected = d == Distances.COSINE ? new double[] {0, 0, 1} : new double[3];
      assertArrayEquals(expected, rows, 1e-12, d.name());
      for (double[][] side : LossHarness.gradient64(sum, x, y, new double[3])) {
        for (double[] row : side) {
          for (double v : row) {
            assertEquals(0.0, v, 1e-12, d + " gradient at zero distance");
          }
        }
      }
    }
  }

  @Test
  void zeroVectorsAreAtCosineDistanceOneNotNaN() {
    assertEquals(1.0, Distances.COSINE.between(new float[3], new float[] {1, 2, 3}), 0.0);
    assertEquals(1.0, Distances.COSINE.between(new float[3], new float[3]), 0.0);
    double[] graph =
        LossHarness.run64(
            rowwise(Distances.COSINE),
            new double[][] {{0, 0}},
            new double[][] {{1, 2}},
            new double[1]);
    assertEquals(1.0, graph[0], 1e-12);
  }

  @Test
  void shapesAndLengthsAreChecked() {
    for (Distance d :
        List.of(Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.COSINE, Distances.L1)) {
      ContrastiveLossTest.assertMessage(
          IllegalArgumentException.class,
          () -> d.between(new float[2], new float[3]),
          "vectors differ in length: 2 vs 3");
      ContrastiveLossTest.assertMessage(
          NullPointerException.class, () -> d.between(null, new float[1]), "a");
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        Operand<TFloat32> a = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4)));
        Operand<TFloat32> b = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 5)));
        Operand<TFloat32> v = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4)));
        ContrastiveLossTest.assertMessage(
            IllegalArgumentException.class,
            () -> d.rowwise(tf, a, b),
            "embeddings differ in size: [-1, 4] vs [-1, 5]");
        ContrastiveLossTest.assertMessage(
            IllegalArgumentException.class,
            () -> d.pairwise(tf, v),
            "embeddings must have rank 2, got shape [4]");
        ContrastiveLossTest.assertMessage(
            IllegalArgumentException.class,
            () -> d.rowwise(tf, v, a),
            "embeddings a must have rank 2, got shape [4]");
      }
    }
  }

  @Test
  void namesRoundTrip() {
    for (Distance d :
        List.of(Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.COSINE, Distances.L1)) {
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
