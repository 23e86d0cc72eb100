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

class KochPairHeadLossTest {

  /** Inputs: h1, h2, labels, alpha, bias. */
  private static LossHarness.MultiFunction of(KochPairHeadLoss loss) {
    return new LossHarness.MultiFunction() {
      @Override
      public <T extends TNumber> Operand<T> build(Ops tf, List<Operand<T>> in) {
        return loss.call(tf, in.get(0), in.get(1), in.get(2), in.get(3), in.get(4));
      }
    };
  }

  private static final LossHarness.MultiFunction SIMILARITY =
      new LossHarness.MultiFunction() {
        @Override
        public <T extends TNumber> Operand<T> build(Ops tf, List<Operand<T>> in) {
          return KochPairHeadLoss.similarIsOne()
              .similarity(tf, in.get(0), in.get(1), in.get(2), in.get(3));
        }
      };

  private static LossHarness.MultiEval eval(
      KochPairHeadLoss loss,
      double[][] h1,
      double[][] h2,
      double[] labels,
      double[] alpha,
      double bias) {
    return LossHarness.eval(
        loss,
        of(loss),
        LossHarness.Input.matrix(h1),
        LossHarness.Input.matrix(h2),
        LossHarness.Input.vector(labels),
        LossHarness.Input.vector(alpha),
        LossHarness.Input.scalar(bias));
  }

  @Provide
  Arbitrary<Reduction> reductions() {
    return Arbitraries.of(Reduction.values());
  }

  @Test
  void handWorkedValue() {
    // z = 0.5 * |1 - 0| - 1 * |2 - 0| + 1 = -0.5; p = sigmoid(-0.5) = 0.377541; same: -log p.
    double[][] h1 = {{1, 2}};
    double[][] h2 = {{0, 0}};
    double[] alpha = {0.5, -1};
    LossHarness.MultiEval e =
        eval(KochPairHeadLoss.similarIsOne(), h1, h2, new double[] {1}, alpha, 1);
    assertEquals(0.9740769841801068, e.value(), 1e-12);
    assertEquals(0.9740769841801068, e.value32()[0], 1e-6);
    double p =
        LossHarness.eval(
                "koch similarity",
                SIMILARITY,
                LossHarness.Input.matrix(h1),
                LossHarness.Input.matrix(h2),
                LossHarness.Input.vector(alpha),
                LossHarness.Input.scalar(1))
            .value();
    assertEquals(0.3775406687981454, p, 1e-12);
    // The paper's opposite convention with the flipped label gives the same number.
    KochPairHeadLoss zero = KochPairHeadLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO).build();
    assertEquals(0.9740769841801068, eval(zero, h1, h2, new double[] {0}, alpha, 1).value(), 1e-12);
    // A different pair: -log(1 - p).
    assertEquals(
        -Math.log(1 - 0.3775406687981454),
        eval(KochPairHeadLoss.similarIsOne(), h1, h2, new double[] {0}, alpha, 1).value(),
        1e-12);
  }

  @Property(tries = 40)
  void equalsTheOracleAndItsGradientMatchesFiniteDifferences(
      @ForAll("reductions") Reduction reduction,
      @ForAll boolean similarIsOne,
      @ForAll @IntRange(min = 1, max = 6) int batch,
      @ForAll @IntRange(min = 1, max = 5) int dim,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] h1 = Batches.gaussian(r, batch, dim);
    double[][] h2 = Batches.gaussian(r, batch, dim);
    double[] alpha = Batches.gaussian(r, 1, dim)[0];
    double bias = r.nextGaussian();
    boolean[] same = new boolean[batch];
    double[] labels = new double[batch];
    PairLabelConvention convention =
        similarIsOne ? PairLabelConvention.SIMILAR_IS_ONE : PairLabelConvention.SIMILAR_IS_ZERO;
    for (int i = 0; i < batch; i++) {
      same[i] = r.nextBoolean();
      labels[i] = convention.encode(same[i]);
    }
    KochPairHeadLoss loss = KochPairHeadLoss.builder(convention).reduction(reduction).build();
    double[] expected = Oracle.reduce(reduction, Oracle.kochTerms(h1, h2, same, alpha, bias));
    LossHarness.MultiEval e = eval(loss, h1, h2, labels, alpha, bias);
    for (int i = 0; i < expected.length; i++) {
      assertClose(expected[i], e.value64()[i], 1e-9, "float64");
      assertClose(expected[i], e.value32()[i], 1e-4, "float32");
      assertTrue(e.value64()[i] >= 0);
    }
    if (reduction != Reduction.MEAN) {
      return;
    }
    // Gradients with respect to h1, alpha and the bias (|.| keeps h1 and h2 symmetric).
    double[][] numericH1 =
        LossHarness.finiteDifferences(
            x -> Oracle.reduce(Reduction.MEAN, Oracle.kochTerms(x, h2, same, alpha, bias))[0],
            h1,
            1e-6);
    double[][] numericAlpha =
        LossHarness.finiteDifferences(
            a -> Oracle.reduce(Reduction.MEAN, Oracle.kochTerms(h1, h2, same, a[0], bias))[0],
            new double[][] {alpha},
            1e-6);
    double numericBias =
        (Oracle.reduce(Reduction.MEAN, Oracle.kochTerms(h1, h2, same, alpha, bias + 1e-6))[0]
                - Oracle.reduce(Reduction.MEAN, Oracle.kochTerms(h1, h2, same, alpha, bias - 1e-6))[
                    0])
            / 2e-6;
    double[][] analyticH1 = e.gradientMatrix(0, batch);
    for (int i = 0; i < batch; i++) {
      assertArrayEquals(numericH1[i], analyticH1[i], 1e-5, "h1 row " + i);
    }
    assertArrayEquals(numericAlpha[0], e.gradients()[3], 1e-5, "alpha");
    assertEquals(numericBias, e.gradients()[4][0], 1e-5, "bias");
  }

  @Test
  void theGradientAtZeroLogitIsSigmoidMinusLabel() {
    // alpha = 0 and b = 0 (a common initialisation): z = 0, dl/db = mean(sigmoid(0) - y).
    double[][] h = {{1, 2}, {3, 4}};
    LossHarness.MultiEval e =
        eval(KochPairHeadLoss.similarIsOne(), h, h, new double[] {1, 0}, new double[2], 0);
    assertEquals(Math.log(2), e.value(), 1e-12);
    assertEquals(0.0, e.gradients()[4][0], 1e-12); // ((0.5 - 1) + (0.5 - 0)) / 2
    e = eval(KochPairHeadLoss.similarIsOne(), h, h, new double[] {1, 1}, new double[2], 0);
    assertEquals(-0.5, e.gradients()[4][0], 1e-12);
  }

  @Test
  void extremeLogitsStayFinite() {
    // z = +-100: the naive log(sigmoid(z)) is log(0) in float32; from logits it is exact.
    double[][] h1 = {{1}, {1}};
    double[][] h2 = {{0}, {0}};
    LossHarness.MultiEval wrong =
        eval(KochPairHeadLoss.similarIsOne(), h1, h2, new double[] {0, 0}, new double[] {100}, 0);
    assertEquals(100, wrong.value(), 1e-9);
    assertEquals(100, wrong.value32()[0], 1e-4);
    LossHarness.MultiEval right =
        eval(KochPairHeadLoss.similarIsOne(), h1, h2, new double[] {1, 1}, new double[] {100}, 0);
    assertEquals(0, right.value(), 1e-40);
    for (double[] g : right.gradients()) {
      for (double v : g) {
        assertTrue(Double.isFinite(v));
      }
    }
  }

  @Test
  void nonFiniteEmbeddingsFailTheRunWithAClearError() {
    assertMessage(
        org.tensorflow.exceptions.TFInvalidArgumentException.class,
        () ->
            eval(
                KochPairHeadLoss.similarIsOne(),
                new double[][] {{Double.NEGATIVE_INFINITY}},
                new double[][] {{0}},
                new double[] {1},
                new double[] {1},
                0),
        "h1 must be finite, but contain NaN or infinity");
  }

  @Test
  void defaultsSettingsAndShapes() {
    KochPairHeadLoss loss = KochPairHeadLoss.similarIsOne();
    assertEquals(PairLabelConvention.SIMILAR_IS_ONE, loss.labelConvention());
    assertEquals(Reduction.MEAN, loss.reduction());
    assertEquals("KochPairHeadLoss(SIMILAR_IS_ONE, MEAN)", loss.toString());
    assertEquals(loss, KochPairHeadLoss.builder(PairLabelConvention.SIMILAR_IS_ONE).build());
    assertEquals(
        loss.hashCode(),
        KochPairHeadLoss.builder(PairLabelConvention.SIMILAR_IS_ONE)
            .reduction(Reduction.MEAN)
            .build()
            .hashCode());
    assertNotEquals(loss, KochPairHeadLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO).build());
    assertMessage(
        NullPointerException.class,
        () -> KochPairHeadLoss.builder(null),
        "the label convention must be chosen");
    assertMessage(
        IllegalStateException.class,
        () ->
            KochPairHeadLoss.builder(PairLabelConvention.SIMILAR_IS_ONE)
                .reduction(Reduction.SUM)
                .reduction(Reduction.NONE),
        "reduction was already set to SUM");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> h = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4)));
      Operand<TFloat32> y = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> a4 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4)));
      Operand<TFloat32> a5 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(5)));
      Operand<TFloat32> b = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Operand<TFloat32> b1 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1)));
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, h, h, y, a5, b),
          "alpha and the embeddings differ in size: [5] vs [-1, 4]");
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, h, h, y, a4, b1),
          "bias must have rank 0, got shape [1]");
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, h, h, h, a4, b),
          "labels must have rank 1");
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.similarity(tf, h, y, a4, b),
          "h2 must have rank 2");
      assertMessage(NullPointerException.class, () -> loss.call(tf, h, h, y, null, b), "alpha");
    }
  }
}
