package io.siamese.losses;

import static io.siamese.losses.Batches.assertClose;
import static io.siamese.losses.ContrastiveLossTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
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

class TripletLossTest {

  private static LossHarness.MultiFunction of(TripletLoss loss) {
    return new LossHarness.MultiFunction() {
      @Override
      public <T extends TNumber> Operand<T> build(Ops tf, List<Operand<T>> in) {
        return loss.call(tf, in.get(0), in.get(1), in.get(2));
      }
    };
  }

  private static LossHarness.MultiEval eval(
      TripletLoss loss, double[][] a, double[][] p, double[][] n) {
    return LossHarness.eval(
        loss,
        of(loss),
        LossHarness.Input.matrix(a),
        LossHarness.Input.matrix(p),
        LossHarness.Input.matrix(n));
  }

  @Provide
  Arbitrary<Distance> distances() {
    return Batches.distances();
  }

  @Provide
  Arbitrary<Reduction> reductions() {
    return Arbitraries.of(Reduction.values());
  }

  @Test
  void handWorkedValues() {
    // The Javadoc example: d(a,p) = 1, 1 and d(a,n) = 1.5, 0.25: terms 0.5 and 1.75, mean 1.125.
    double[][] a = {{0, 0}, {1, 1}};
    double[][] p = {{0, 1}, {1, 2}};
    double[][] n = {{0, 1.5}, {1, 1.25}};
    LossHarness.MultiEval e = eval(TripletLoss.create(), a, p, n);
    assertEquals(1.125, e.value(), 1e-12);
    assertEquals(1.125, e.value32()[0], 1e-6);
    TripletLoss none = TripletLoss.builder().reduction(Reduction.NONE).build();
    assertArrayEquals(new double[] {0.5, 1.75}, eval(none, a, p, n).value64(), 1e-12);
    // FaceNet: squared distances 1, 1 and 2.25, 0.0625, margin 0.2: terms 0 and 1.1375.
    assertEquals(1.1375 / 2, eval(TripletLoss.faceNet(), a, p, n).value(), 1e-12);
  }

  @Property(tries = 50)
  void equalsTheOracleForEveryDistanceAndReduction(
      @ForAll("distances") Distance distance,
      @ForAll("reductions") Reduction reduction,
      @ForAll @IntRange(min = 1, max = 8) int batch,
      @ForAll @IntRange(min = 1, max = 5) int dim,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] a = Batches.gaussian(r, batch, dim);
    double[][] p = Batches.gaussian(r, batch, dim);
    double[][] n = Batches.gaussian(r, batch, dim);
    double margin = new double[] {0.2, 1.0}[r.nextInt(2)];
    double[] terms = Oracle.tripletTerms(distance, margin, a, p, n);
    if (reduction == Reduction.MEAN_OVER_NONZERO) {
      for (int i = 0; i < batch; i++) {
        double raw =
            Oracle.distance(distance, a[i], p[i]) - Oracle.distance(distance, a[i], n[i]) + margin;
        Assume.that(Math.abs(raw) > 1e-4);
      }
    }
    TripletLoss loss =
        TripletLoss.builder().margin(margin).distance(distance).reduction(reduction).build();
    double[] expected = Oracle.reduce(reduction, terms);
    LossHarness.MultiEval e = eval(loss, a, p, n);
    assertEquals(expected.length, e.value64().length);
    for (int i = 0; i < expected.length; i++) {
      assertClose(expected[i], e.value64()[i], 1e-9, "float64");
      assertClose(expected[i], e.value32()[i], 1e-4, "float32");
      assertTrue(e.value64()[i] >= 0, "non-negative");
    }
  }

  @Property(tries = 20)
  void gradientMatchesCentralFiniteDifferences(
      @ForAll("distances") Distance distance,
      @ForAll @IntRange(min = 1, max = 4) int batch,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][][] in = {
      Batches.gaussian(r, batch, 3), Batches.gaussian(r, batch, 3), Batches.gaussian(r, batch, 3)
    };
    double margin = 1.0;
    for (int i = 0; i < batch; i++) {
      double raw =
          Oracle.distance(distance, in[0][i], in[1][i])
              - Oracle.distance(distance, in[0][i], in[2][i])
              + margin;
      Assume.that(Math.abs(raw) > 1e-3);
    }
    TripletLoss loss = TripletLoss.builder().distance(distance).build();
    LossHarness.MultiEval e = eval(loss, in[0], in[1], in[2]);
    for (int w = 0; w < 3; w++) {
      int which = w;
      double[][] numeric =
          LossHarness.finiteDifferences(
              x -> {
                double[][][] moved = {in[0], in[1], in[2]};
                moved[which] = x;
                return Oracle.reduce(
                    Reduction.MEAN,
                    Oracle.tripletTerms(distance, margin, moved[0], moved[1], moved[2]))[0];
              },
              in[w],
              1e-6);
      double[][] analytic = e.gradientMatrix(w, batch);
      for (int i = 0; i < batch; i++) {
        assertArrayEquals(numeric[i], analytic[i], 1e-5, distance + " input " + w + " row " + i);
      }
    }
  }

  @Property(tries = 20)
  void zeroWhenTheMarginIsSatisfiedAndInvariantToOrder(
      @ForAll @IntRange(min = 1, max = 8) int batch, @ForAll long seed) {
    Random r = new Random(seed);
    double[][] a = Batches.gaussian(r, batch, 3);
    double[][] p = new double[batch][];
    double[][] n = new double[batch][];
    for (int i = 0; i < batch; i++) {
      p[i] = a[i].clone();
      p[i][1] += 0.1 * r.nextDouble();
      n[i] = a[i].clone();
      n[i][0] += 1.2 + r.nextDouble(); // beyond d(a,p) + margin 1
    }
    assertEquals(0.0, eval(TripletLoss.create(), a, p, n).value(), 0.0);
    double[][] a2 = a.clone();
    double[][] p2 = p.clone();
    double[][] n2 = Batches.gaussian(r, batch, 3);
    double forward = eval(TripletLoss.create(), a2, p2, n2).value();
    java.util.Collections.reverse(java.util.Arrays.asList(a2));
    java.util.Collections.reverse(java.util.Arrays.asList(p2));
    java.util.Collections.reverse(java.util.Arrays.asList(n2));
    assertEquals(forward, eval(TripletLoss.create(), a2, p2, n2).value(), 1e-12);
  }

  @Test
  void identicalEmbeddingsHaveFiniteGradients() {
    double[][] same = {{0.2, -0.4, 1.0}, {0.5, 0.5, 0.5}};
    for (Distance d : Batches.DISTANCES) {
      LossHarness.MultiEval e = eval(TripletLoss.builder().distance(d).build(), same, same, same);
      assertEquals(1.0, e.value(), 1e-12, d.name()); // 0 - 0 + margin
      for (double[] g : e.gradients()) {
        for (double v : g) {
          assertTrue(Double.isFinite(v), d.name());
        }
      }
    }
  }

  @Test
  void nonFiniteEmbeddingsFailTheRunWithAClearError() {
    double[][] ok = {{0, 1}};
    double[][] bad = {{Double.NaN, 1}};
    assertMessage(
        org.tensorflow.exceptions.TFInvalidArgumentException.class,
        () -> eval(TripletLoss.create(), ok, ok, bad),
        "negative must be finite, but contain NaN or infinity");
  }

  @Test
  void defaultsSettingsAndShapes() {
    TripletLoss loss = TripletLoss.create();
    assertEquals(1.0, loss.margin());
    assertEquals(Distances.EUCLIDEAN, loss.distance());
    assertEquals(Reduction.MEAN, loss.reduction());
    assertEquals("TripletLoss(margin 1.0, euclidean, MEAN)", loss.toString());
    assertEquals(
        "TripletLoss(margin 0.2, squared_euclidean, MEAN)", TripletLoss.faceNet().toString());
    assertEquals(loss, TripletLoss.builder().margin(1).distance(Distances.EUCLIDEAN).build());
    assertEquals(
        loss.hashCode(), TripletLoss.builder().reduction(Reduction.MEAN).build().hashCode());
    assertNotEquals(loss, TripletLoss.faceNet());
    assertMessage(
        IllegalArgumentException.class,
        () -> TripletLoss.builder().margin(-1),
        "margin must be finite and >= 0, got -1.0");
    assertMessage(
        IllegalStateException.class,
        () -> TripletLoss.builder().margin(0.5).margin(0.7),
        "margin was already set to 0.5");
    assertMessage(
        IllegalStateException.class,
        () -> TripletLoss.builder().reduction(Reduction.SUM).reduction(Reduction.MEAN),
        "reduction was already set to SUM");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4)));
      Operand<TFloat32> wide = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 5)));
      Operand<TFloat32> rank1 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4)));
      Operand<TFloat32> b3 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(3, 4)));
      Operand<TFloat32> b2 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 4)));
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, x, x, wide),
          "embeddings differ in size: [-1, 4] vs [-1, 5]");
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, x, rank1, x),
          "positive must have rank 2, got shape [4]");
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, b3, b3, b2),
          "batches differ in size: [3, 4] vs [2, 4]");
      assertMessage(NullPointerException.class, () -> loss.call(tf, x, x, null), "negative");
    }
  }
}
