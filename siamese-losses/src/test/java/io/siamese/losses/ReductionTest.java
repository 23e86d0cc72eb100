package io.siamese.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

class ReductionTest {

  private static LossHarness.VectorFunction of(Reduction reduction) {
    return new LossHarness.VectorFunction() {
      @Override
      public <T extends TNumber> Operand<T> build(Ops tf, Operand<T> x) {
        return reduction.apply(tf, x);
      }
    };
  }

  @Test
  void reducesAHandWorkedVector() {
    double[] terms = {0, 1.5, 0, 4.5};
    assertEquals(1.5, LossHarness.run64(of(Reduction.MEAN), terms)[0], 1e-12); // 6 / 4
    assertEquals(6.0, LossHarness.run64(of(Reduction.SUM), terms)[0], 1e-12);
    assertEquals(3.0, LossHarness.run64(of(Reduction.MEAN_OVER_NONZERO), terms)[0], 1e-12); // 6 / 2
    assertArrayEquals(terms, LossHarness.run64(of(Reduction.NONE), terms), 0.0);
  }

  @Test
  void allZeroAndEmptyBatchesGiveZeroNotNaN() {
    for (Reduction r :
        new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.MEAN_OVER_NONZERO}) {
      assertEquals(0.0, LossHarness.run64(of(r), new double[3])[0], 0.0, r + " of zeros");
      assertEquals(0.0, LossHarness.run64(of(r), new double[0])[0], 0.0, r + " of nothing");
    }
  }

  @Test
  void gradientsAreTheWeightsOfTheTerms() {
    double[] terms = {0, 1.5, 0, 4.5};
    assertArrayEquals(
        new double[] {0.25, 0.25, 0.25, 0.25},
        LossHarness.gradient64(of(Reduction.MEAN), terms),
        1e-12);
    assertArrayEquals(
        new double[] {1, 1, 1, 1}, LossHarness.gradient64(of(Reduction.SUM), terms), 1e-12);
    // The count of non-zero terms is held fixed (a step function has no useful derivative), so
    // every term has weight 1 / count, and a term at 0 would enter with that weight if it grew.
    assertArrayEquals(
        new double[] {0.5, 0.5, 0.5, 0.5},
        LossHarness.gradient64(of(Reduction.MEAN_OVER_NONZERO), terms),
        1e-12);
    // All zero: the count is floored at 1, so the gradient is finite.
    assertArrayEquals(
        new double[] {1, 1, 1},
        LossHarness.gradient64(of(Reduction.MEAN_OVER_NONZERO), new double[3]),
        1e-12);
  }
}
