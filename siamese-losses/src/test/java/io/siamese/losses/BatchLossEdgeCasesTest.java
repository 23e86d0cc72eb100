package io.siamese.losses;

import static io.siamese.losses.ContrastiveLossTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The documented outcomes of every {@link BatchLoss} on degenerate batches: finite values equal to
 * the oracle's (0 where documented), finite gradients, in float64 and float32; and the errors for
 * arguments of the wrong shape, raised when the graph is built.
 */
class BatchLossEdgeCasesTest {

  /** A loss and its oracle. */
  record Case(BatchLoss loss, BiFunction<double[][], int[], Double> oracle) {}

  static List<Case> cases() {
    return List.of(
        new Case(
            BatchAllTripletLoss.create(),
            (x, y) -> Oracle.batchAll(Distances.EUCLIDEAN, 1.0, Reduction.MEAN, x, y)),
        new Case(
            BatchAllTripletLoss.builder().reduction(Reduction.MEAN_OVER_NONZERO).build(),
            (x, y) -> Oracle.batchAll(Distances.EUCLIDEAN, 1.0, Reduction.MEAN_OVER_NONZERO, x, y)),
        new Case(
            BatchHardTripletLoss.create(),
            (x, y) -> Oracle.batchHard(Distances.EUCLIDEAN, 1.0, false, Reduction.MEAN, x, y)),
        new Case(
            BatchHardTripletLoss.softMargin(),
            (x, y) -> Oracle.batchHard(Distances.EUCLIDEAN, 1.0, true, Reduction.MEAN, x, y)),
        new Case(
            SemiHardTripletLoss.create(),
            (x, y) -> Oracle.semiHard(Distances.EUCLIDEAN, 1.0, Reduction.MEAN, x, y)),
        new Case(
            SemiHardTripletLoss.builder().distance(Distances.COSINE).build(),
            (x, y) -> Oracle.semiHard(Distances.COSINE, 1.0, Reduction.MEAN, x, y)),
        new Case(
            NTXentLoss.create(),
            (x, y) -> Oracle.ntXent(Distances.COSINE, 0.07, Reduction.MEAN, x, y)),
        new Case(MultiSimilarityLoss.create(), (x, y) -> multiSimilarity(true, x, y)),
        new Case(
            MultiSimilarityLoss.builder().noMining().build(),
            (x, y) -> multiSimilarity(false, x, y)));
  }

  private static double multiSimilarity(boolean mining, double[][] x, int[] y) {
    return Oracle.reduceExisting(
        Reduction.MEAN, Oracle.asList(Oracle.multiSimilarityTerms(2, 50, 0.5, 0.1, mining, x, y)));
  }

  private static final double[][] FOUR = {
    {0.3, -1.2, 0.5}, {1.1, 0.4, -0.7}, {-0.2, 0.9, 1.3}, {0.8, 0.8, 0.1}
  };

  /** Runs every case on the batch: value as the oracle's (and {@code expected} if given). */
  private static void check(String what, double[][] x, int[] y, Double expectedForAll) {
    for (Case c : cases()) {
      LossHarness.BatchEval e = LossHarness.eval(c.loss(), x, y);
      Batches.assertFinite(e, what + ", " + c.loss());
      double oracle = c.oracle().apply(x, y);
      double expected = expectedForAll != null ? expectedForAll : oracle;
      assertEquals(oracle, expected, 1e-12, what + ": the oracle agrees, " + c.loss());
      assertEquals(expected, e.value(), 1e-9 * Math.max(1, expected), what + ", " + c.loss());
      assertEquals(
          expected, e.value32()[0], 1e-4 * Math.max(1, expected), what + " f32, " + c.loss());
    }
  }

  private static boolean isMultiSimilarityWithoutMining(BatchLoss loss) {
    return loss instanceof MultiSimilarityLoss m && !m.isMining();
  }

  @Test
  void aBatchWithoutAnyPositivePairGivesZero() {
    // Except multi-similarity without mining, whose negative terms need no positive.
    int[] distinct = {0, 1, 2, 3};
    for (Case c : cases()) {
      LossHarness.BatchEval e = LossHarness.eval(c.loss(), FOUR, distinct);
      Batches.assertFinite(e, "no positive, " + c.loss());
      if (!isMultiSimilarityWithoutMining(c.loss())) {
        assertEquals(0.0, e.value(), 0.0, c.loss().toString());
        assertEquals(0.0, e.value32()[0], 0.0, c.loss().toString());
      }
    }
    check("no positive pair", FOUR, distinct, null);
  }

  @Test
  void aBatchOfOneClassGivesZero() {
    // Except multi-similarity without mining, whose positive terms need no negative.
    int[] same = {5, 5, 5, 5};
    for (Case c : cases()) {
      LossHarness.BatchEval e = LossHarness.eval(c.loss(), FOUR, same);
      if (!isMultiSimilarityWithoutMining(c.loss())) {
        assertEquals(0.0, e.value(), 0.0, c.loss().toString());
      }
    }
    check("no negative", FOUR, same, null);
  }

  @Test
  void aSingleExampleGivesZeroWithAZeroGradient() {
    for (Case c : cases()) {
      LossHarness.BatchEval e =
          LossHarness.eval(c.loss(), new double[][] {{0.5, -1, 2}}, new int[] {3});
      assertEquals(0.0, e.value(), 0.0, c.loss().toString());
      assertEquals(0.0, e.value32()[0], 0.0, c.loss().toString());
      for (double g : e.gradient64()[0]) {
        assertEquals(0.0, g, 0.0, c.loss().toString());
      }
    }
  }

  @Test
  void anEmptyBatchGivesZero() {
    for (Case c : cases()) {
      LossHarness.BatchEval e = LossHarness.eval(c.loss(), new double[0][], new int[0]);
      assertEquals(0.0, e.value(), 0.0, c.loss().toString());
      assertEquals(0.0, e.value32()[0], 0.0, c.loss().toString());
    }
  }

  @Test
  void identicalEmbeddingsGiveTheDocumentedValuesAndFiniteGradients() {
    // Every distance is 0: each triplet costs the margin (1), soft batch-hard log 2, NT-Xent
    // log(1 + 2) with two negatives per pair; the oracle covers multi-similarity.
    double[][] x = {{0.6, -0.8, 0.1}, {0.6, -0.8, 0.1}, {0.6, -0.8, 0.1}, {0.6, -0.8, 0.1}};
    int[] y = {0, 0, 1, 1};
    check("identical embeddings", x, y, null);
    double[] expected = {1, 1, 1, Math.log(2), 1, 1, Math.log(3)};
    for (int i = 0; i < expected.length; i++) {
      BatchLoss loss = cases().get(i).loss();
      assertEquals(expected[i], LossHarness.eval(loss, x, y).value(), 1e-9, loss.toString());
    }
    // At zero Euclidean distance the gradient is defined as 0.
    for (double[] row : LossHarness.eval(BatchHardTripletLoss.create(), x, y).gradient64()) {
      for (double g : row) {
        assertEquals(0.0, g, 0.0);
      }
    }
  }

  @Test
  void zeroEmbeddingsStayFinite() {
    // Cosine distance of zero vectors: the norm floor makes them distance 1 from everything else.
    double[][] x = new double[4][3];
    int[] y = {0, 0, 1, 1};
    for (Case c : cases()) {
      Batches.assertFinite(LossHarness.eval(c.loss(), x, y), "zeros, " + c.loss());
    }
  }

  @Test
  void nonFiniteEmbeddingsFailTheRunWithAClearError() {
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
      double[][] x = {{0.3, -1.2}, {1.1, bad}, {-0.2, 0.9}, {0.8, 0.8}};
      for (Case c : cases()) {
        assertMessage(
            org.tensorflow.exceptions.TFInvalidArgumentException.class,
            () -> LossHarness.eval(c.loss(), x, new int[] {0, 0, 1, 1}),
            "embeddings must be finite, but contain NaN or infinity");
      }
    }
  }

  @Test
  void wrongShapesFailWhenTheGraphIsBuilt() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> rank3 =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 1)));
      Operand<TFloat32> x8 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(8, 4)));
      Operand<TInt32> y8 = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(8)));
      Operand<TInt32> y6 = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(6)));
      Operand<TInt32> y2d = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(8, 1)));
      Operand<TInt32> ints = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(8, 4)));
      for (Case c : cases()) {
        BatchLoss loss = c.loss();
        assertMessage(
            IllegalArgumentException.class,
            () -> loss.call(tf, rank3, y8),
            "embeddings must have rank 2, got shape [-1, 4, 1]");
        assertMessage(
            IllegalArgumentException.class,
            () -> loss.call(tf, x8, y2d),
            "labels must have rank 1, got shape [8, 1]");
        assertMessage(
            IllegalArgumentException.class,
            () -> loss.call(tf, x8, y6),
            "labels and embeddings differ in batch size: [6] vs [8, 4]");
        assertMessage(
            IllegalArgumentException.class,
            () -> loss.call(tf, ints, y8),
            "embeddings must be of a floating type, got TInt32");
        assertMessage(NullPointerException.class, () -> loss.call(tf, x8, null), "labels");
        assertMessage(NullPointerException.class, () -> loss.call(null, x8, y8), "tf");
      }
    }
  }
}
