package io.siamese.losses;

import static io.siamese.losses.Batches.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
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

/**
 * The semi-hard and batch-all losses mine by sorting each anchor's negatives and searching the
 * sorted row ({@link SortedNegatives}) instead of building every triplet. What that adds to get
 * wrong, checked against the loop oracles: exact ties (the strict "farther than the positive" of
 * semi-hard, the strict "> 0" of a hinge), rows of different lengths (anchors with few, many or no
 * negatives), batches far larger than the property tests elsewhere draw, and the gradient of the
 * prefix-sum formulation of batch-all.
 */
class SortedMiningTest {

  @Provide
  Arbitrary<Distance> distances() {
    return Batches.distances();
  }

  @Provide
  Arbitrary<Reduction> reductions() {
    return Batches.scalarReductions();
  }

  @Provide
  Arbitrary<Distance> exactDistances() {
    // On small integer coordinates these are exact in float32 and float64 (cosine is not).
    return net.jqwik.api.Arbitraries.of(
        Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.L1);
  }

  private static AbstractBatchLoss semiHard(double margin, Distance d, Reduction r) {
    return SemiHardTripletLoss.builder().margin(margin).distance(d).reduction(r).build();
  }

  private static AbstractBatchLoss batchAll(double margin, Distance d, Reduction r) {
    return BatchAllTripletLoss.builder().margin(margin).distance(d).reduction(r).build();
  }

  /** Integer coordinates in [-2, 2]: many distances tie exactly, in both float types. */
  private static double[][] lattice(Random r, int rows, int cols) {
    double[][] x = new double[rows][cols];
    for (double[] row : x) {
      for (int k = 0; k < cols; k++) {
        row[k] = r.nextInt(5) - 2;
      }
    }
    return x;
  }

  @Property(tries = 60)
  void exactTiesAreResolvedAsTheOracleResolvesThem(
      @ForAll("exactDistances") Distance distance,
      @ForAll("reductions") Reduction reduction,
      @ForAll @IntRange(min = 1, max = 12) int batch,
      @ForAll @IntRange(min = 1, max = 3) int classes,
      @ForAll @IntRange(min = 1, max = 2) int dim,
      @ForAll @IntRange(min = 0, max = 2) int margin,
      @ForAll long seed) {
    // Ties between a negative and the positive decide semi-hard's strict "farther", and with an
    // integer margin D_an = D_ap + margin makes batch-all's hinge exactly 0, which
    // MEAN_OVER_NONZERO must not count. Duplicate points give zero distances across classes.
    Random r = new Random(seed);
    double[][] x = lattice(r, batch, dim);
    int[] y = Batches.labels(r, batch, classes);
    for (AbstractBatchLoss loss :
        List.of(semiHard(margin, distance, reduction), batchAll(margin, distance, reduction))) {
      double expected =
          loss instanceof SemiHardTripletLoss
              ? Oracle.semiHard(distance, margin, reduction, x, y)
              : Oracle.batchAll(distance, margin, reduction, x, y);
      LossHarness.BatchEval e = LossHarness.eval(loss, x, y);
      assertClose(expected, e.value(), 1e-12, loss + " float64");
      assertClose(expected, e.value32()[0], 1e-5, loss + " float32");
      Batches.assertFinite(e, loss.toString());
    }
  }

  @Test
  void semiHardAtATieWithThePositiveTakesTheNextNegativeAndPastTheLastTheFarthest() {
    // 1-D: anchor 0 at 0 with positives at 1 and 3; negatives at 1, 1, 2, 3. For (0, p=1): D_ap =
    // 1,
    // the negatives at 1 tie and are not farther, so the one at 2 is chosen. For (0, p=3): none
    // is strictly farther than 3, so the farthest, 3.
    double[][] x = {{0}, {1}, {3}, {1}, {1}, {2}, {3}};
    int[] y = {0, 0, 0, 1, 1, 1, 1};
    double[] chosen = chosenNegatives(Distances.EUCLIDEAN, x, y);
    int b = x.length;
    assertEquals(2.0, chosen[0 * b + 1], 0.0);
    assertEquals(3.0, chosen[0 * b + 2], 0.0);
    assertClose(
        Oracle.semiHard(Distances.EUCLIDEAN, 1.0, Reduction.MEAN, x, y),
        LossHarness.eval(SemiHardTripletLoss.create(), x, y).value(),
        1e-12,
        "value");
  }

  @Test
  void rowsWithoutPositivesOrWithFewNegativesMixWithFullRows() {
    // Class 1 and 3 are singletons (no positive pair), class 2 has all but one of the examples
    // (its anchors have 2 negatives, the others 5), so the sorted rows hold very different
    // numbers of negatives before their +inf tails.
    double[][] x = {
      {0.1, 2}, {1.3, -0.4}, {0.7, 0.2}, {-1.1, 0.5}, {2.2, 1.9}, {-0.3, -1.6}, {0.9, 1}
    };
    int[] y = {2, 1, 2, 2, 3, 2, 2};
    for (Distance d : Batches.DISTANCES) {
      for (Reduction red : Batches.SCALAR_REDUCTIONS) {
        for (double margin : new double[] {0.3, 1.0, 4.0}) {
          assertClose(
              Oracle.semiHard(d, margin, red, x, y),
              LossHarness.eval(semiHard(margin, d, red), x, y).value(),
              1e-9,
              "semi-hard " + d + " " + red + " " + margin);
          assertClose(
              Oracle.batchAll(d, margin, red, x, y),
              LossHarness.eval(batchAll(margin, d, red), x, y).value(),
              1e-9,
              "batch-all " + d + " " + red + " " + margin);
        }
      }
    }
  }

  @Test
  void twoExamplesOfOneClassOrOfTwoClassesGiveZero() {
    double[][] x = {{0.5, -1}, {2, 0.25}};
    for (int[] y : new int[][] {{4, 4}, {4, 7}}) {
      for (AbstractBatchLoss loss :
          List.of(
              SemiHardTripletLoss.create(),
              BatchAllTripletLoss.create(),
              batchAll(1.0, Distances.EUCLIDEAN, Reduction.MEAN_OVER_NONZERO))) {
        LossHarness.BatchEval e = LossHarness.eval(loss, x, y);
        assertEquals(0.0, e.value(), 0.0, loss.toString());
        assertEquals(0.0, e.value32()[0], 0.0, loss.toString());
        for (double[] row : e.gradient64()) {
          assertArrayEquals(new double[] {0, 0}, row, 0.0, loss.toString());
        }
      }
    }
  }

  @Property(tries = 12)
  void equalTheOracleOnLargerBatches(
      @ForAll("distances") Distance distance,
      @ForAll("reductions") Reduction reduction,
      @ForAll @IntRange(min = 10, max = 60) int batch,
      @ForAll @IntRange(min = 2, max = 12) int classes,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] x = Batches.gaussian(r, batch, 4);
    int[] y = Batches.labels(r, batch, classes);
    double margin = new double[] {0.2, 1.0}[r.nextInt(2)];
    // float64 rounding can only flip a choice between distances closer than about 1e-12.
    Assume.that(Batches.smallestGap(Oracle.pairwise(distance, x)) > 1e-9);
    for (AbstractBatchLoss loss :
        List.of(semiHard(margin, distance, reduction), batchAll(margin, distance, reduction))) {
      double expected =
          loss instanceof SemiHardTripletLoss
              ? Oracle.semiHard(distance, margin, reduction, x, y)
              : Oracle.batchAll(distance, margin, reduction, x, y);
      LossHarness.BatchEval e = LossHarness.eval(loss, x, y);
      assertClose(expected, e.value(), 1e-9, loss + " float64, batch " + batch);
      Batches.assertFinite(e, loss.toString());
    }
  }

  @Test
  void aP32xK4BatchEqualsTheOracle() {
    // 128 examples, as a P x K sampler gives them: every anchor has 3 positives and 124 negatives.
    Random r = new Random(5);
    int[] y = Batches.pk(r, 32, 4);
    double[][] x = Batches.gaussian(r, y.length, 8);
    for (Reduction red : Batches.SCALAR_REDUCTIONS) {
      assertClose(
          Oracle.semiHard(Distances.EUCLIDEAN, 1.0, red, x, y),
          LossHarness.eval(semiHard(1.0, Distances.EUCLIDEAN, red), x, y).value(),
          1e-9,
          "semi-hard " + red);
      double expected = Oracle.batchAll(Distances.EUCLIDEAN, 1.0, red, x, y);
      LossHarness.BatchEval e = LossHarness.eval(batchAll(1.0, Distances.EUCLIDEAN, red), x, y);
      assertClose(expected, e.value(), 1e-9, "batch-all " + red);
      // The prefix-sum formulation must not lose more float32 digits than summing the triplets.
      assertClose(expected, e.value32()[0], 1e-5, "batch-all float32 " + red);
    }
  }

  @Test
  void aBatchOf1536NeverBuildsTheTripletTensor() {
    // B^3 = 3.6e9 entries (29 GB in float64): the old formulation could not run this at all.
    Random r = new Random(9);
    int[] y = Batches.pk(r, 384, 4);
    double[][] x = Batches.gaussian(r, y.length, 4);
    for (AbstractBatchLoss loss :
        List.of(SemiHardTripletLoss.create(), BatchAllTripletLoss.create())) {
      LossHarness.BatchEval e = LossHarness.eval(loss, x, y);
      Batches.assertFinite(e, loss.toString());
      assertClose(e.value(), e.value32()[0], 1e-3, loss + " float32 against float64");
    }
  }

  @Property(tries = 25)
  void gradientMatchesFiniteDifferencesOnLargerPkBatches(
      @ForAll boolean semi,
      @ForAll("distances") Distance distance,
      @ForAll @IntRange(min = 2, max = 5) int p,
      @ForAll @IntRange(min = 2, max = 4) int k,
      @ForAll long seed) {
    Random r = new Random(seed);
    int[] y = Batches.pk(r, p, k);
    double[][] x = Batches.gaussian(r, y.length, 3);
    double margin = r.nextBoolean() ? 0.5 : 1.5;
    double[][] d = Oracle.pairwise(distance, x);
    // Away from kinks: a step of 1e-6 must not move any distance across another or a hinge
    // across 0.
    Assume.that(Batches.smallestGap(d) > 1e-5);
    Assume.that(hingesClearOfZero(d, y, margin, 1e-5));
    AbstractBatchLoss loss =
        semi
            ? semiHard(margin, distance, Reduction.MEAN)
            : batchAll(margin, distance, Reduction.MEAN);
    LossHarness.BatchEval e = LossHarness.eval(loss, x, y);
    double[][] numeric =
        LossHarness.finiteDifferences(
            xx ->
                semi
                    ? Oracle.semiHard(distance, margin, Reduction.MEAN, xx, y)
                    : Oracle.batchAll(distance, margin, Reduction.MEAN, xx, y),
            x,
            1e-6);
    for (int i = 0; i < x.length; i++) {
      assertArrayEquals(numeric[i], e.gradient64()[i], 1e-5, loss + " row " + i);
    }
  }

  /** Whether every {@code D_ap - D_an + margin} is at least {@code gap} away from 0. */
  private static boolean hingesClearOfZero(double[][] d, int[] y, double margin, double gap) {
    for (int a = 0; a < y.length; a++) {
      for (int p = 0; p < y.length; p++) {
        for (int n = 0; n < y.length; n++) {
          if (a != p
              && y[a] == y[p]
              && y[n] != y[a]
              && Math.abs(d[a][p] - d[a][n] + margin) < gap) {
            return false;
          }
        }
      }
    }
    return true;
  }

  @Property(tries = 25)
  void batchAllPairSumsEqualABruteForceSumOverEachPairsTriplets(
      @ForAll("distances") Distance distance,
      @ForAll @IntRange(min = 1, max = 12) int batch,
      @ForAll @IntRange(min = 1, max = 4) int classes,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] x = Batches.gaussian(r, batch, 3);
    int[] y = Batches.labels(r, batch, classes);
    double[][] d = Oracle.pairwise(distance, x);
    double margin = 0.7;
    Assume.that(hingesClearOfZero(d, y, margin, 1e-9));
    BatchAllTripletLoss loss =
        BatchAllTripletLoss.builder().margin(margin).distance(distance).build();
    double[][] sums = new double[3][];
    for (int part = 0; part < 3; part++) {
      int which = part;
      sums[part] =
          LossHarness.eval(
                  List.of("pairSums", which, loss),
                  new LossHarness.BatchFunction() {
                    @Override
                    public <T extends TNumber> Operand<T> build(
                        Ops tf, Operand<T> e, Operand<TInt32> labels) {
                      BatchAllTripletLoss.PairSums<T> s =
                          loss.pairSums(tf, PairwiseBatch.of(tf, e, labels, distance));
                      Operand<T> count = which == 1 ? s.violating() : s.negatives();
                      // The counts alone have no gradient path, which LossHarness cannot fetch.
                      return which == 0
                          ? s.hinges()
                          : tf.math.add(count, tf.math.mul(s.hinges(), tf.zerosLike(count)));
                    }
                  },
                  x,
                  y)
              .value64();
    }
    for (int a = 0; a < batch; a++) {
      for (int p = 0; p < batch; p++) {
        if (a == p || y[a] != y[p]) {
          continue;
        }
        double hinges = 0;
        int violating = 0;
        int negatives = 0;
        for (int n = 0; n < batch; n++) {
          if (y[n] != y[a]) {
            double t = Math.max(d[a][p] - d[a][n] + margin, 0);
            hinges += t;
            violating += t > 0 ? 1 : 0;
            negatives++;
          }
        }
        String pair = "pair (" + a + ", " + p + ")";
        assertClose(hinges, sums[0][a * batch + p], 1e-9, pair + " hinges");
        assertEquals(violating, sums[1][a * batch + p], 0.0, pair + " violating");
        assertEquals(negatives, sums[2][a * batch + p], 0.0, pair + " negatives");
      }
    }
  }

  /** {@link SemiHardTripletLoss#chosenNegativeDistances} in float64, flattened {@code [B, B]}. */
  private static double[] chosenNegatives(Distance distance, double[][] x, int[] y) {
    SemiHardTripletLoss loss = SemiHardTripletLoss.builder().distance(distance).build();
    return LossHarness.eval(
            List.of("chosen", loss),
            new LossHarness.BatchFunction() {
              @Override
              public <T extends TNumber> Operand<T> build(
                  Ops tf, Operand<T> e, Operand<TInt32> labels) {
                return loss.chosenNegativeDistances(tf, PairwiseBatch.of(tf, e, labels, distance));
              }
            },
            x,
            y)
        .value64();
  }
}
