package io.siamese.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

class ContrastiveLossTest {

  private static LossHarness.GraphFunction of(PairLoss loss) {
    return new LossHarness.GraphFunction() {
      @Override
      public <T extends TNumber> Operand<T> build(
          Ops tf, Operand<T> l, Operand<T> r, Operand<T> y) {
        return loss.call(tf, l, r, y);
      }
    };
  }

  @Test
  void handWorkedValue() {
    // Pair 1, similar: (0,0) vs (0.3,0.4): d = 0.5, term d^2 = 0.25.
    // Pair 2, dissimilar: (1,1) vs (1,1.25): d = 0.25, term (1 - 0.25)^2 = 0.5625.
    // Mean: (0.25 + 0.5625) / 2 = 0.40625.
    double[][] left = {{0, 0}, {1, 1}};
    double[][] right = {{0.3, 0.4}, {1, 1.25}};
    double[] labels = {1, 0};
    assertEquals(
        0.40625,
        LossHarness.run64(of(ContrastiveLoss.similarIsOne()), left, right, labels)[0],
        1e-12);
    assertEquals(
        0.40625,
        LossHarness.run32(of(ContrastiveLoss.similarIsOne()), left, right, labels)[0],
        1e-6);
    // The same pairs in the paper's convention carry the opposite labels.
    PairLoss paper = ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO).build();
    assertEquals(0.40625, LossHarness.run64(of(paper), left, right, new double[] {0, 1})[0], 1e-12);
    // Margin 2, sum: 0.25 + (2 - 0.25)^2 = 3.3125.
    PairLoss wide =
        ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE)
            .margin(2)
            .reduction(Reduction.SUM)
            .build();
    assertEquals(3.3125, LossHarness.run64(of(wide), left, right, labels)[0], 1e-12);
  }

  /** TensorFlow Addons' docstring example: y_true [1, 0], y_pred distances [0.5, 0.2], margin 1. */
  @Test
  void matchesTensorFlowAddonsDocstring() {
    // TFA: mean(y * d^2 + (1 - y) * max(1 - d, 0)^2) = (0.25 + 0.64) / 2 = 0.445.
    double[][] left = {{0}, {0}};
    double[][] right = {{0.5}, {0.2}};
    assertEquals(
        0.445,
        LossHarness.run64(of(ContrastiveLoss.similarIsOne()), left, right, new double[] {1, 0})[0],
        1e-12);
  }

  @Provide
  Arbitrary<Distance> distances() {
    return Arbitraries.of(
        Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.COSINE, Distances.L1);
  }

  @Provide
  Arbitrary<Reduction> reductions() {
    return Arbitraries.of(Reduction.values());
  }

  @Property(tries = 60)
  void equalsThePlainJavaOracleForEveryDistanceAndReduction(
      @ForAll("distances") Distance distance,
      @ForAll("reductions") Reduction reduction,
      @ForAll @IntRange(min = 1, max = 9) int batch,
      @ForAll @IntRange(min = 1, max = 6) int dim,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] left = random(r, batch, dim);
    double[][] right = random(r, batch, dim);
    boolean[] similar = new boolean[batch];
    double[] labels = new double[batch];
    for (int i = 0; i < batch; i++) {
      similar[i] = r.nextBoolean();
      labels[i] = similar[i] ? 1 : 0;
    }
    double margin = 0.5 + 2 * r.nextDouble();
    PairLoss loss =
        ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE)
            .margin(margin)
            .distance(distance)
            .reduction(reduction)
            .build();
    double[] terms = Oracle.contrastiveTerms(distance, margin, left, right, similar);
    if (reduction == Reduction.MEAN_OVER_NONZERO) {
      // Which terms count is discontinuous at 0: a term that rounding leaves at 1e-32 in the graph
      // and 0 in the oracle would change the count, so such samples say nothing.
      for (double t : terms) {
        net.jqwik.api.Assume.that(t == 0 || t > 1e-9);
        net.jqwik.api.Assume.that(t > 0 || !distance.name().equals("cosine"));
      }
    }
    double[] expected = Oracle.reduce(reduction, terms);
    double[] actual64 = LossHarness.run64(of(loss), left, right, labels);
    double[] actual32 = LossHarness.run32(of(loss), left, right, labels);
    assertEquals(expected.length, actual64.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual64[i], 1e-9 * Math.max(1, Math.abs(expected[i])));
      assertEquals(expected[i], actual32[i], 1e-4 * Math.max(1, Math.abs(expected[i])));
      assertTrue(actual64[i] >= 0);
    }
  }

  @Property(tries = 25)
  void gradientMatchesCentralFiniteDifferences(
      @ForAll("distances") Distance distance,
      @ForAll @IntRange(min = 1, max = 5) int batch,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] left = random(r, batch, 3);
    double[][] right = random(r, batch, 3);
    double[] labels = new double[batch];
    boolean[] similar = new boolean[batch];
    for (int i = 0; i < batch; i++) {
      similar[i] = r.nextBoolean();
      labels[i] = similar[i] ? 1 : 0;
    }
    double margin = 1.5;
    for (int i = 0; i < batch; i++) {
      // Keep clear of the hinge's kink, where the derivative jumps.
      double d = Oracle.distance(distance, left[i], right[i]);
      net.jqwik.api.Assume.that(Math.abs(margin - d) > 1e-3 && d > 1e-3);
    }
    PairLoss loss =
        ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE)
            .margin(margin)
            .distance(distance)
            .build();
    double[][][] analytic = LossHarness.gradient64(of(loss), left, right, labels);
    double[][][] numeric =
        LossHarness.finiteDifferences(
            (l, rr) ->
                Oracle.reduce(
                    Reduction.MEAN, Oracle.contrastiveTerms(distance, margin, l, rr, similar))[0],
            left,
            right,
            1e-6);
    for (int w = 0; w < 2; w++) {
      for (int i = 0; i < batch; i++) {
        assertArrayEquals(
            numeric[w][i], analytic[w][i], 1e-5, distance + " input " + w + " row " + i);
      }
    }
  }

  @Test
  void identicalEmbeddingsHaveAFiniteZeroGradient() {
    double[][] same = {{0.2, -0.4, 1.0}, {0.5, 0.5, 0.5}};
    for (Distance d :
        List.of(Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.COSINE, Distances.L1)) {
      PairLoss loss =
          ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE).distance(d).build();
      double[][][] g =
          LossHarness.gradient64(of(loss), same, LossHarness.copy(same), new double[] {1, 1});
      for (double[][] side : g) {
        for (double[] row : side) {
          for (double v : row) {
            assertEquals(0.0, v, 1e-12, d.name());
          }
        }
      }
      assertEquals(
          0.0,
          LossHarness.run64(of(loss), same, LossHarness.copy(same), new double[] {1, 1})[0],
          1e-12);
    }
  }

  @Property(tries = 30)
  void zeroWhenSimilarPairsCoincideAndDissimilarOnesAreBeyondTheMargin(
      @ForAll @IntRange(min = 1, max = 8) int batch, @ForAll long seed) {
    Random r = new Random(seed);
    double[][] left = random(r, batch, 4);
    double[][] right = new double[batch][];
    double[] labels = new double[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = r.nextBoolean() ? 1 : 0;
      right[i] = left[i].clone();
      if (labels[i] == 0) {
        right[i][0] += 1.0 + r.nextDouble();
      }
    }
    assertEquals(
        0.0,
        LossHarness.run64(of(ContrastiveLoss.similarIsOne(1.0)), left, right, labels)[0],
        1e-12);
  }

  @Property(tries = 20)
  void meanIsInvariantToTheOrderOfPairs(
      @ForAll @IntRange(min = 2, max = 8) int batch, @ForAll long seed) {
    Random r = new Random(seed);
    double[][] left = random(r, batch, 3);
    double[][] right = random(r, batch, 3);
    double[] labels = new double[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = r.nextBoolean() ? 1 : 0;
    }
    double[][] l2 = new double[batch][];
    double[][] r2 = new double[batch][];
    double[] y2 = new double[batch];
    for (int i = 0; i < batch; i++) {
      int j = batch - 1 - i;
      l2[i] = left[j];
      r2[i] = right[j];
      y2[i] = labels[j];
    }
    PairLoss loss = ContrastiveLoss.similarIsOne();
    assertEquals(
        LossHarness.run64(of(loss), left, right, labels)[0],
        LossHarness.run64(of(loss), l2, r2, y2)[0],
        1e-12);
  }

  @Property(tries = 30)
  void similarIsZeroWithFlippedLabelsEqualsSimilarIsOne(
      @ForAll("distances") Distance distance,
      @ForAll("reductions") Reduction reduction,
      @ForAll @IntRange(min = 1, max = 8) int batch,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] left = random(r, batch, 3);
    double[][] right = random(r, batch, 3);
    double[] one = new double[batch];
    double[] zero = new double[batch];
    for (int i = 0; i < batch; i++) {
      boolean similar = r.nextBoolean();
      one[i] = PairLabelConvention.SIMILAR_IS_ONE.encode(similar);
      zero[i] = PairLabelConvention.SIMILAR_IS_ZERO.encode(similar);
      assertEquals(1 - one[i], zero[i]);
    }
    PairLoss a =
        ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE)
            .margin(1.3)
            .distance(distance)
            .reduction(reduction)
            .build();
    PairLoss b =
        ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO)
            .margin(1.3)
            .distance(distance)
            .reduction(reduction)
            .build();
    assertArrayEquals(
        LossHarness.run64(of(a), left, right, one),
        LossHarness.run64(of(b), left, right, zero),
        1e-12);
  }

  @Test
  void runsOnPlaceholdersOfUnknownBatchSize() {
    // The hand-worked pairs again, fed at run time: static checks must not reject -1 dimensions.
    double[][] left = {{0, 0}, {1, 1}};
    double[][] right = {{0.3, 0.4}, {1, 1.25}};
    double[] labels = {1, 0};
    assertEquals(
        0.40625,
        LossHarness.runFed64(of(ContrastiveLoss.similarIsOne()), left, right, labels)[0],
        1e-12);
    PairLoss none =
        ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE)
            .reduction(Reduction.NONE)
            .build();
    assertArrayEquals(
        new double[] {0.25, 0.5625}, LossHarness.runFed64(of(none), left, right, labels), 1e-12);
  }

  @Test
  void defaultsAccessorsAndValueSemantics() {
    ContrastiveLoss loss = ContrastiveLoss.similarIsOne();
    assertEquals(PairLabelConvention.SIMILAR_IS_ONE, loss.labelConvention());
    assertEquals(1.0, loss.margin());
    assertEquals(Distances.EUCLIDEAN, loss.distance());
    assertEquals(Reduction.MEAN, loss.reduction());
    assertEquals("ContrastiveLoss(SIMILAR_IS_ONE, margin 1.0, euclidean, MEAN)", loss.toString());
    ContrastiveLoss explicit =
        ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE)
            .margin(1.0)
            .distance(Distances.EUCLIDEAN)
            .reduction(Reduction.MEAN)
            .build();
    assertEquals(loss, explicit);
    assertEquals(loss.hashCode(), explicit.hashCode());
    assertNotEquals(loss, ContrastiveLoss.similarIsOne(2.0));
    assertNotEquals(loss, ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO).build());
    assertEquals(
        "ContrastiveLoss(SIMILAR_IS_ZERO, margin 0.5, cosine, SUM)",
        ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO)
            .margin(0.5)
            .distance(Distances.COSINE)
            .reduction(Reduction.SUM)
            .build()
            .toString());
  }

  @Test
  void settingsAreChecked() {
    assertMessage(
        IllegalArgumentException.class,
        () -> ContrastiveLoss.similarIsOne(-1),
        "margin must be finite and > 0, got -1.0");
    assertMessage(
        IllegalArgumentException.class,
        () -> ContrastiveLoss.similarIsOne(Double.POSITIVE_INFINITY),
        "got Infinity");
    ContrastiveLoss.Builder b =
        ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE)
            .distance(Distances.COSINE)
            .reduction(Reduction.SUM);
    assertMessage(
        IllegalStateException.class,
        () -> b.distance(Distances.L1),
        "distance was already set to cosine");
    assertMessage(
        IllegalStateException.class,
        () -> b.reduction(Reduction.MEAN),
        "reduction was already set to SUM");
    assertMessage(
        NullPointerException.class,
        () -> ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE).distance(null),
        "distance");
    // A rejected margin leaves the builder unset, so a valid one can still follow.
    ContrastiveLoss.Builder c = ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE);
    assertThrows(IllegalArgumentException.class, () -> c.margin(0));
    assertEquals(0.7, c.margin(0.7).build().margin());
  }

  @Test
  void batchSizesAreChecked() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4, 3)));
      Operand<TFloat32> b = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(5, 3)));
      Operand<TFloat32> y4 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4)));
      Operand<TFloat32> y5 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(5)));
      ContrastiveLoss loss = ContrastiveLoss.similarIsOne();
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, a, b, y4),
          "batches differ in size: [4, 3] vs [5, 3]");
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, a, a, y5),
          "labels and embeddings differ in batch size: [5] vs [4, 3]");
      assertMessage(NullPointerException.class, () -> loss.call(tf, a, null, y4), "right");
    }
  }

  @Test
  void settingsAndShapesAreChecked() {
    assertMessage(
        IllegalArgumentException.class,
        () -> ContrastiveLoss.similarIsOne(0),
        "margin must be finite and > 0, got 0.0");
    assertMessage(
        IllegalArgumentException.class, () -> ContrastiveLoss.similarIsOne(Double.NaN), "got NaN");
    assertMessage(
        NullPointerException.class,
        () -> ContrastiveLoss.builder(null),
        "label convention must be chosen");
    assertMessage(
        IllegalStateException.class,
        () -> ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE).margin(1).margin(2),
        "margin was already set to 1.0");
    assertMessage(
        IllegalArgumentException.class,
        () -> Distances.EUCLIDEAN.between(new float[2], new float[3]),
        "2 vs 3");
    assertMessage(
        IllegalArgumentException.class,
        () -> Distances.byName("hamming"),
        "unknown distance 'hamming'");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4)));
      Operand<TFloat32> b = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 5)));
      Operand<TFloat32> y = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> rank3 =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 1)));
      ContrastiveLoss loss = ContrastiveLoss.similarIsOne();
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, a, b, y),
          "embeddings differ in size: [-1, 4] vs [-1, 5]");
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, rank3, a, y),
          "left must have rank 2, got shape [-1, 4, 1]");
      assertMessage(
          IllegalArgumentException.class, () -> loss.call(tf, a, a, a), "labels must have rank 1");
    }
  }

  static double[][] random(Random r, int rows, int cols) {
    double[][] x = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < cols; k++) {
        x[i][k] = r.nextGaussian();
      }
    }
    return x;
  }

  static void assertMessage(
      Class<? extends Throwable> type,
      org.junit.jupiter.api.function.Executable call,
      String fragment) {
    Throwable t = assertThrows(type, call);
    assertTrue(
        t.getMessage() != null && t.getMessage().contains(fragment),
        "expected '" + fragment + "' in: " + t.getMessage());
  }
}
