package io.siamese.losses;

import static io.siamese.losses.ContrastiveLossTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/** The extension point itself: the base class, the masked reduction and the batch helpers. */
class AbstractBatchLossTest {

  /** The example of AbstractBatchLoss's Javadoc. */
  static final class PullTogether extends AbstractBatchLoss {
    PullTogether() {
      super(Distances.EUCLIDEAN, Reduction.MEAN);
    }

    @Override
    protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
      return Terms.of(tf.math.square(batch.distances()), batch.positives());
    }
  }

  @Test
  void theJavadocExampleGivesItsNumber() {
    double[][] x = {{0, 0}, {3, 4}, {6, 8}};
    LossHarness.BatchEval e = LossHarness.eval(new PullTogether(), x, new int[] {0, 0, 1});
    assertEquals(25.0, e.value(), 1e-9);
    assertEquals(25.0, e.value32()[0], 1e-4);
    // d(d^2)/dx_0 = 2 (x_0 - x_1) from each of the two ordered pairs, halved by the mean: (-6, -8).
    assertArrayEquals(new double[] {-6, -8}, e.gradient64()[0], 1e-9);
    assertArrayEquals(new double[] {0, 0}, e.gradient64()[2], 0.0);
  }

  @Test
  void noneIsRejectedAndNullTermsAreNamed() {
    assertMessage(
        IllegalArgumentException.class,
        () ->
            new AbstractBatchLoss(Distances.L1, Reduction.NONE) {
              @Override
              protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
                return null;
              }
            },
        "reduction must give a scalar (MEAN, SUM or MEAN_OVER_NONZERO), got NONE");
    AbstractBatchLoss broken =
        new AbstractBatchLoss(Distances.L1, Reduction.SUM) {
          @Override
          protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
            return null;
          }
        };
    assertEquals(Distances.L1, broken.distance());
    assertEquals(Reduction.SUM, broken.reduction());
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
      Operand<TInt32> y = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      assertMessage(
          IllegalStateException.class, () -> broken.call(tf, x, y), ".terms returned null");
    }
  }

  private static LossHarness.MultiFunction masked(Reduction reduction) {
    return new LossHarness.MultiFunction() {
      @Override
      public <T extends TNumber> Operand<T> build(Ops tf, List<Operand<T>> in) {
        return reduction.apply(tf, in.get(0), in.get(1));
      }
    };
  }

  private static double[] reduce(Reduction r, double[][] terms, double[][] mask) {
    return LossHarness.eval(
            List.of("masked", r),
            masked(r),
            LossHarness.Input.matrix(terms),
            LossHarness.Input.matrix(mask))
        .value64();
  }

  @Test
  void maskedReductionsCountOnlyTheSelectedTerms() {
    double[][] terms = {{1, 2}, {3, 4}};
    double[][] mask = {{1, 0}, {1, 0}};
    assertEquals(2.0, reduce(Reduction.MEAN, terms, mask)[0], 1e-12);
    assertEquals(4.0, reduce(Reduction.SUM, terms, mask)[0], 1e-12);
    assertEquals(2.0, reduce(Reduction.MEAN_OVER_NONZERO, terms, mask)[0], 1e-12);
    assertArrayEquals(new double[] {1, 0, 3, 0}, reduce(Reduction.NONE, terms, mask), 0.0);
    double[][] nothing = new double[2][2];
    for (Reduction r : Batches.SCALAR_REDUCTIONS) {
      assertEquals(0.0, reduce(r, terms, nothing)[0], 0.0, r.toString());
    }
    // Gradient: 1 / count for each selected term, 0 for the others.
    LossHarness.MultiEval e =
        LossHarness.eval(
            List.of("masked", Reduction.MEAN),
            masked(Reduction.MEAN),
            LossHarness.Input.matrix(terms),
            LossHarness.Input.matrix(mask));
    assertArrayEquals(new double[] {0.5, 0, 0.5, 0}, e.gradients()[0], 1e-12);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> t = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(3, 3)));
      Operand<TFloat32> m = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(3)));
      assertMessage(
          IllegalArgumentException.class,
          () -> Reduction.MEAN.apply(tf, t, m),
          "terms and mask must have the same shape: [3, 3] vs [3]");
    }
  }

  /** maskedMax, maskedMin and maskedLogSumExp along axis 1, stacked as rows of one output. */
  private static LossHarness.MultiFunction helpers() {
    return new LossHarness.MultiFunction() {
      @Override
      public <T extends TNumber> Operand<T> build(Ops tf, List<Operand<T>> in) {
        Operand<T> x = in.get(0);
        PairwiseBatch<T> batch =
            PairwiseBatch.of(tf, x, tf.constant(new int[] {0, 0, 1}), Distances.EUCLIDEAN);
        Operand<TBool> mask = tf.math.greater(in.get(1), batch.constant(0.5));
        return tf.stack(
            List.of(
                batch.maskedMax(x, mask, 1),
                batch.maskedMin(x, mask, 1),
                batch.maskedLogSumExp(x, mask, 1)));
      }
    };
  }

  @Test
  void maskedHelpersOnAHandWorkedMatrix() {
    double[][] x = {{1, -2, 3}, {0.5, 700, -700}, {4, 5, 6}};
    double[][] mask = {{1, 1, 0}, {0, 1, 1}, {0, 0, 0}};
    LossHarness.MultiEval e =
        LossHarness.eval(
            "helpers", helpers(), LossHarness.Input.matrix(x), LossHarness.Input.matrix(mask));
    double[] v = e.value64(); // [max row 0..2, min row 0..2, lse row 0..2]
    assertEquals(1, v[0], 0.0);
    assertEquals(700, v[1], 0.0);
    assertTrue(v[2] < -700 && Double.isFinite(v[2]), "empty row: finite, below every entry");
    assertEquals(-2, v[3], 0.0);
    assertEquals(-700, v[4], 0.0);
    assertTrue(v[5] > 700 && Double.isFinite(v[5]), "empty row: finite, above every entry");
    assertEquals(Math.log(Math.exp(1) + Math.exp(-2)), v[6], 1e-12);
    assertEquals(700, v[7], 1e-12); // log(e^700 + e^-700) without overflow
    assertTrue(Double.isFinite(v[8]));
    // Gradients: each helper's is the indicator of the max, of the min, and the softmax.
    double s = Math.exp(1) + Math.exp(-2);
    assertArrayEquals(
        new double[] {1 + 0 + Math.exp(1) / s, 1 + Math.exp(-2) / s, 0}, row(e, 0), 1e-12);
    assertArrayEquals(new double[] {0, 1 + 0 + 1, 1}, row(e, 1), 1e-12);
    assertArrayEquals(new double[] {0, 0, 0}, row(e, 2), 0.0);
    for (double f : e.value32()) {
      assertTrue(Double.isFinite(f), "float32 " + f);
    }
  }

  private static double[] row(LossHarness.MultiEval e, int i) {
    return e.gradientMatrix(0, 3)[i];
  }
}
