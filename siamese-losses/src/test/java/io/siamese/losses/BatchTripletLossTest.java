package io.siamese.losses;

import static io.siamese.losses.Batches.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/** Batch-all, batch-hard (hard and soft) and semi-hard triplet losses against loop oracles. */
class BatchTripletLossTest {

  enum Kind {
    ALL,
    HARD,
    SOFT,
    SEMI_HARD
  }

  static AbstractBatchLoss loss(Kind kind, double margin, Distance d, Reduction r) {
    switch (kind) {
      case ALL:
        return BatchAllTripletLoss.builder().margin(margin).distance(d).reduction(r).build();
      case HARD:
        return BatchHardTripletLoss.builder().margin(margin).distance(d).reduction(r).build();
      case SOFT:
        return BatchHardTripletLoss.builder().soft().distance(d).reduction(r).build();
      case SEMI_HARD:
        return SemiHardTripletLoss.builder().margin(margin).distance(d).reduction(r).build();
      default:
        throw new IllegalArgumentException(kind.toString());
    }
  }

  static double oracle(Kind kind, double margin, Distance d, Reduction r, double[][] x, int[] y) {
    switch (kind) {
      case ALL:
        return Oracle.batchAll(d, margin, r, x, y);
      case HARD:
        return Oracle.batchHard(d, margin, false, r, x, y);
      case SOFT:
        return Oracle.batchHard(d, margin, true, r, x, y);
      case SEMI_HARD:
        return Oracle.semiHard(d, margin, r, x, y);
      default:
        throw new IllegalArgumentException(kind.toString());
    }
  }

  @Provide
  Arbitrary<Distance> distances() {
    return Batches.distances();
  }

  @Provide
  Arbitrary<Reduction> reductions() {
    return Batches.scalarReductions();
  }

  // 1-D embeddings 0, 0.5, 2, 3 with labels 0, 0, 1, 1 (the Javadoc examples).
  private static final double[][] LINE = {{0}, {0.5}, {2}, {3}};
  private static final int[] LINE_LABELS = {0, 0, 1, 1};

  private static double both(BatchLoss loss, double[][] x, int[] y, double expected) {
    LossHarness.BatchEval e = LossHarness.eval(loss, x, y);
    assertEquals(expected, e.value(), 1e-12, loss + " float64");
    assertEquals(expected, e.value32()[0], 1e-6, loss + " float32");
    return e.value();
  }

  @Test
  void handWorkedBatch() {
    both(BatchAllTripletLoss.create(), LINE, LINE_LABELS, 0.0625);
    both(
        BatchAllTripletLoss.builder().reduction(Reduction.MEAN_OVER_NONZERO).build(),
        LINE,
        LINE_LABELS,
        0.5);
    both(BatchAllTripletLoss.builder().reduction(Reduction.SUM).build(), LINE, LINE_LABELS, 0.5);
    both(BatchHardTripletLoss.create(), LINE, LINE_LABELS, 0.125);
    both(BatchHardTripletLoss.softMargin(), LINE, LINE_LABELS, 0.2975413069159586);
    both(SemiHardTripletLoss.create(), LINE, LINE_LABELS, 0.125);
  }

  @Test
  void semiHardNeedsAStrictlyFartherNegativeElseTakesTheFarthest() {
    // 1-D 0, 3 (class 0) and 1, 2 (class 1). Pairs (0,1) and (1,0): D_ap = 3 and no negative is
    // farther, so the farthest (D = 2) is used: 3 - 2 + 1 = 2 each. Pair (2,3): D_ap = 1; the
    // negative at D = 1 ties and is not strictly farther, so the one at D = 2 is: 1 - 2 + 1 = 0;
    // likewise (3,2). Mean over the 4 positive pairs: 1.0.
    double[][] x = {{0}, {3}, {1}, {2}};
    int[] y = {0, 0, 1, 1};
    both(SemiHardTripletLoss.create(), x, y, 1.0);
  }

  /**
   * TensorFlow Addons' numpy reference for triplet_hard_loss (tests/triplet_test.py), ported: an
   * anchor without positives gets hp = 0; the mean is over all anchors.
   */
  private static double addonsHard(double[][] d, int[] y, double margin, boolean soft) {
    double total = 0;
    for (int i = 0; i < y.length; i++) {
      double maxPos = 0;
      double minNeg = Double.POSITIVE_INFINITY;
      for (int j = 0; j < y.length; j++) {
        if (y[i] != y[j]) {
          minNeg = Math.min(minNeg, d[i][j]);
        } else if (i != j) {
          maxPos = Math.max(maxPos, d[i][j]);
        }
      }
      total += soft ? Math.log1p(Math.exp(maxPos - minNeg)) : Math.max(0, maxPos - minNeg + margin);
    }
    return total / y.length;
  }

  /** TensorFlow Addons' numpy reference for triplet_semihard_loss, ported. */
  private static double addonsSemiHard(double[][] d, int[] y, double margin) {
    double total = 0;
    int positives = 0;
    for (int i = 0; i < y.length; i++) {
      for (int j = 0; j < y.length; j++) {
        if (y[i] == y[j] && i != j) {
          positives++;
          total += Math.max(0, margin - Oracle.semiHardNegative(d, y, i, j) + d[i][j]);
        }
      }
    }
    return total / positives;
  }

  @Property(tries = 15)
  void agreesWithTensorFlowAddonsReferenceOnPkBatches(
      @ForAll @IntRange(min = 2, max = 4) int p,
      @ForAll @IntRange(min = 2, max = 3) int k,
      @ForAll boolean squared,
      @ForAll long seed) {
    // Addons' tests draw embeddings uniformly from [0, 1)^6; P x K batches give every anchor a
    // positive and a negative, where the documented outcomes coincide with Addons'.
    Random r = new Random(seed);
    int[] y = Batches.pk(r, p, k);
    double[][] x = new double[y.length][6];
    for (double[] row : x) {
      for (int c = 0; c < row.length; c++) {
        row[c] = r.nextDouble();
      }
    }
    Distance d = squared ? Distances.SQUARED_EUCLIDEAN : Distances.EUCLIDEAN;
    double[][] pd = Oracle.pairwise(d, x);
    Assume.that(Batches.smallestGap(pd) > 1e-6);
    assertClose(
        addonsHard(pd, y, 1.0, false),
        LossHarness.eval(loss(Kind.HARD, 1.0, d, Reduction.MEAN), x, y).value(),
        1e-9,
        "hard");
    assertClose(
        addonsHard(pd, y, 1.0, true),
        LossHarness.eval(loss(Kind.SOFT, 1.0, d, Reduction.MEAN), x, y).value(),
        1e-9,
        "soft");
    assertClose(
        addonsSemiHard(pd, y, 1.0),
        LossHarness.eval(loss(Kind.SEMI_HARD, 1.0, d, Reduction.MEAN), x, y).value(),
        1e-9,
        "semi-hard");
  }

  @Property(tries = 60)
  void equalsTheOracleForEveryDistanceAndReduction(
      @ForAll Kind kind,
      @ForAll("distances") Distance distance,
      @ForAll("reductions") Reduction reduction,
      @ForAll @IntRange(min = 1, max = 9) int batch,
      @ForAll @IntRange(min = 1, max = 4) int classes,
      @ForAll @IntRange(min = 1, max = 5) int dim,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] x = Batches.gaussian(r, batch, dim);
    int[] y = Batches.labels(r, batch, classes);
    double margin = new double[] {0.5, 1.0, 1.5}[r.nextInt(3)];
    double[][] d = Oracle.pairwise(distance, x);
    // Mining and MEAN_OVER_NONZERO are discontinuous at ties and at 0: keep clear of both, or
    // float32 rounding (and even float64's) could pick the other side.
    Assume.that(Batches.smallestGap(d) > 1e-4);
    double expected = oracle(kind, margin, distance, reduction, x, y);
    if (reduction == Reduction.MEAN_OVER_NONZERO) {
      Assume.that(nonZeroTermsAreClearOfZero(kind, margin, distance, x, y));
    }
    LossHarness.BatchEval e = LossHarness.eval(loss(kind, margin, distance, reduction), x, y);
    assertClose(expected, e.value(), 1e-9, kind + " float64");
    assertClose(expected, e.value32()[0], 2e-3, kind + " float32");
    assertTrue(e.value() >= 0, "non-negative");
    Batches.assertFinite(e, kind.toString());
  }

  /** Whether every triplet term of the loss is either exactly 0 or clearly above it. */
  private static boolean nonZeroTermsAreClearOfZero(
      Kind kind, double margin, Distance distance, double[][] x, int[] y) {
    double[][] d = Oracle.pairwise(distance, x);
    for (int a = 0; a < y.length; a++) {
      for (int p = 0; p < y.length; p++) {
        for (int n = 0; n < y.length; n++) {
          if (a != p && y[a] == y[p] && y[n] != y[a]) {
            if (Math.abs(d[a][p] - d[a][n] + margin) < 1e-4) {
              return false;
            }
          }
        }
      }
    }
    return true;
  }

  @Property(tries = 25)
  void gradientMatchesCentralFiniteDifferencesOfTheOracle(
      @ForAll Kind kind,
      @ForAll("distances") Distance distance,
      @ForAll @IntRange(min = 2, max = 3) int p,
      @ForAll @IntRange(min = 2, max = 3) int k,
      @ForAll long seed) {
    Random r = new Random(seed);
    int[] y = Batches.pk(r, p, k);
    double[][] x = Batches.gaussian(r, y.length, 3);
    double margin = r.nextBoolean() ? 0.6 : 1.2;
    // Away from kinks: ties between distances (mining switches) and hinges at 0.
    Assume.that(Batches.smallestGap(Oracle.pairwise(distance, x)) > 1e-3);
    Assume.that(nonZeroTermsAreClearOfZero(kind, margin, distance, x, y));
    Assume.that(hingesClear(distance, margin, x, y));
    LossHarness.BatchEval e = LossHarness.eval(loss(kind, margin, distance, Reduction.MEAN), x, y);
    double[][] numeric =
        LossHarness.finiteDifferences(
            xx -> oracle(kind, margin, distance, Reduction.MEAN, xx, y), x, 1e-6);
    for (int i = 0; i < x.length; i++) {
      assertArrayEquals(numeric[i], e.gradient64()[i], 1e-5, kind + " " + distance + " row " + i);
    }
  }

  /** Whether every pairwise-difference-plus-margin the semi-hard loss could use is clear of 0. */
  private static boolean hingesClear(Distance distance, double margin, double[][] x, int[] y) {
    double[][] d = Oracle.pairwise(distance, x);
    for (int a = 0; a < y.length; a++) {
      for (int p = 0; p < y.length; p++) {
        for (int n = 0; n < y.length; n++) {
          if (y[a] == y[p] && y[n] != y[a] && Math.abs(d[a][n] - d[a][p]) < 1e-3) {
            return false;
          }
        }
      }
    }
    return true;
  }

  @Property(tries = 20)
  void zeroWhenEveryMarginIsSatisfied(
      @ForAll("distances") Distance distance,
      @ForAll @IntRange(min = 2, max = 4) int p,
      @ForAll @IntRange(min = 2, max = 3) int k,
      @ForAll long seed) {
    Random r = new Random(seed);
    int[] y = Batches.pk(r, p, k);
    double[][] x = Batches.separated(r, y, p + 1);
    // Same-class distances are tiny and other-class ones large, in every distance's units.
    for (Kind kind : new Kind[] {Kind.ALL, Kind.HARD, Kind.SEMI_HARD}) {
      for (Reduction red : Batches.SCALAR_REDUCTIONS) {
        LossHarness.BatchEval e = LossHarness.eval(loss(kind, 0.5, distance, red), x, y);
        assertEquals(0.0, e.value(), 0.0, kind + " " + red);
        for (double[] row : e.gradient64()) {
          for (double g : row) {
            assertEquals(0.0, g, 0.0);
          }
        }
      }
    }
  }

  @Property(tries = 20)
  void invariantToBatchOrderAndToRenamingTheClasses(
      @ForAll Kind kind,
      @ForAll("distances") Distance distance,
      @ForAll @IntRange(min = 2, max = 9) int batch,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] x = Batches.gaussian(r, batch, 3);
    int[] y = Batches.labels(r, batch, 3);
    Assume.that(Batches.smallestGap(Oracle.pairwise(distance, x)) > 1e-6);
    int[] order = Batches.shuffledOrder(r, batch);
    int[] renamed = Batches.permute(y, order);
    for (int i = 0; i < renamed.length; i++) {
      renamed[i] = 1000 - 7 * renamed[i];
    }
    BatchLoss l = loss(kind, 1.0, distance, Reduction.MEAN);
    double original = LossHarness.eval(l, x, y).value();
    double shuffled = LossHarness.eval(l, Batches.permuteRows(x, order), renamed).value();
    assertClose(original, shuffled, 1e-12, kind.toString());
  }

  private static LossHarness.BatchFunction terms(AbstractBatchLoss loss) {
    return new LossHarness.BatchFunction() {
      @Override
      public <T extends TNumber> Operand<T> build(Ops tf, Operand<T> x, Operand<TInt32> y) {
        return loss.termsOf(tf, x, y).values();
      }
    };
  }

  @Property(tries = 25)
  void batchHardTermIsTheWorstTripletOfItsAnchor(
      @ForAll("distances") Distance distance,
      @ForAll @IntRange(min = 1, max = 9) int batch,
      @ForAll @IntRange(min = 1, max = 4) int classes,
      @ForAll long seed) {
    // Brute force over every triplet: the hardest positive and the hardest negative make the
    // largest hinge term, so batch-hard's term per anchor is the maximum over its triplets.
    Random r = new Random(seed);
    double[][] x = Batches.gaussian(r, batch, 3);
    int[] y = Batches.labels(r, batch, classes);
    double margin = 0.5;
    AbstractBatchLoss hard = loss(Kind.HARD, margin, distance, Reduction.MEAN);
    double[] perAnchor =
        LossHarness.eval(java.util.List.of("terms", hard), terms(hard), x, y).value64();
    for (int a = 0; a < batch; a++) {
      double worst = 0; // an anchor without a triplet costs 0
      for (int p = 0; p < batch; p++) {
        for (int n = 0; n < batch; n++) {
          if (p != a && y[p] == y[a] && y[n] != y[a]) {
            double t =
                Oracle.distance(distance, x[a], x[p])
                    - Oracle.distance(distance, x[a], x[n])
                    + margin;
            worst = Math.max(worst, Math.max(t, 0));
          }
        }
      }
      assertClose(worst, perAnchor[a], 1e-9, "anchor " + a);
    }
  }

  @Property(tries = 25)
  void semiHardPicksTheNegativeABruteForceSearchPicks(
      @ForAll("distances") Distance distance,
      @ForAll @IntRange(min = 2, max = 9) int batch,
      @ForAll @IntRange(min = 2, max = 4) int classes,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] x = Batches.gaussian(r, batch, 3);
    int[] y = Batches.labels(r, batch, classes);
    double[][] d = Oracle.pairwise(distance, x);
    Assume.that(Batches.smallestGap(d) > 1e-6);
    SemiHardTripletLoss loss = SemiHardTripletLoss.builder().distance(distance).build();
    double[] chosen =
        LossHarness.eval(
                java.util.List.of("chosen", loss),
                new LossHarness.BatchFunction() {
                  @Override
                  public <T extends TNumber> Operand<T> build(
                      Ops tf, Operand<T> e, Operand<TInt32> labels) {
                    return loss.chosenNegativeDistances(
                        tf, PairwiseBatch.of(tf, e, labels, distance));
                  }
                },
                x,
                y)
            .value64();
    for (int a = 0; a < batch; a++) {
      for (int p = 0; p < batch; p++) {
        if (a == p || y[a] != y[p]) {
          continue;
        }
        // Every triplet (a, p, n): the semi-hard ones have D_an > D_ap; of those, the easiest
        // to violate is the nearest. With none, the farthest negative of all.
        int best = -1;
        int farthest = -1;
        for (int n = 0; n < batch; n++) {
          if (y[n] == y[a]) {
            continue;
          }
          if (d[a][n] > d[a][p] && (best < 0 || d[a][n] < d[a][best])) {
            best = n;
          }
          if (farthest < 0 || d[a][n] > d[a][farthest]) {
            farthest = n;
          }
        }
        if (farthest < 0) {
          continue; // no negative: the term is masked to 0, the distance is meaningless
        }
        int n = best >= 0 ? best : farthest;
        assertClose(d[a][n], chosen[a * batch + p], 1e-9, "pair (" + a + ", " + p + ")");
      }
    }
  }

  @Test
  void valuesDefaultsAndToString() {
    assertEquals(
        "BatchAllTripletLoss(margin 1.0, euclidean, MEAN)",
        BatchAllTripletLoss.create().toString());
    assertEquals(
        "BatchHardTripletLoss(margin 1.0, euclidean, MEAN)",
        BatchHardTripletLoss.create().toString());
    assertEquals(
        "BatchHardTripletLoss(soft, euclidean, MEAN)",
        BatchHardTripletLoss.softMargin().toString());
    assertEquals(
        "SemiHardTripletLoss(margin 1.0, euclidean, MEAN)",
        SemiHardTripletLoss.create().toString());
    assertEquals(
        BatchHardTripletLoss.create(),
        BatchHardTripletLoss.builder()
            .margin(1.0)
            .distance(Distances.EUCLIDEAN)
            .reduction(Reduction.MEAN)
            .build());
    assertEquals(
        BatchHardTripletLoss.create().hashCode(),
        BatchHardTripletLoss.builder().margin(1.0).build().hashCode());
    assertTrue(BatchHardTripletLoss.softMargin().isSoft());
    assertEquals(1.0, SemiHardTripletLoss.create().margin());
    assertEquals(Distances.EUCLIDEAN, SemiHardTripletLoss.create().distance());
    assertEquals(Reduction.MEAN, BatchAllTripletLoss.create().reduction());
    assertTrue(!BatchAllTripletLoss.create().equals(SemiHardTripletLoss.create()));
  }

  @Test
  void settingsAreChecked() {
    ContrastiveLossTest.assertMessage(
        IllegalArgumentException.class,
        () -> BatchHardTripletLoss.builder().margin(-0.5),
        "margin must be finite and >= 0, got -0.5");
    ContrastiveLossTest.assertMessage(
        IllegalArgumentException.class,
        () -> SemiHardTripletLoss.builder().margin(Double.NaN),
        "got NaN");
    ContrastiveLossTest.assertMessage(
        IllegalStateException.class,
        () -> BatchAllTripletLoss.builder().margin(1).margin(2),
        "margin was already set to 1.0");
    ContrastiveLossTest.assertMessage(
        IllegalStateException.class,
        () -> SemiHardTripletLoss.builder().distance(Distances.COSINE).distance(Distances.L1),
        "distance was already set to cosine");
    ContrastiveLossTest.assertMessage(
        IllegalArgumentException.class,
        () -> BatchAllTripletLoss.builder().reduction(Reduction.NONE),
        "reduction must give a scalar");
    ContrastiveLossTest.assertMessage(
        IllegalArgumentException.class,
        () -> BatchHardTripletLoss.builder().soft().margin(0.3).build(),
        "the soft-margin loss has no margin, but margin was set to 0.3");
    ContrastiveLossTest.assertMessage(
        IllegalStateException.class,
        () -> BatchHardTripletLoss.builder().soft().soft(),
        "soft margin was already set");
    ContrastiveLossTest.assertMessage(
        NullPointerException.class,
        () -> SemiHardTripletLoss.builder().reduction(null),
        "reduction");
    // Margin 0 is allowed: only reversed orderings cost.
    assertEquals(0.0, BatchAllTripletLoss.builder().margin(0).build().margin());
  }
}
