package io.siamese.losses;

import static io.siamese.losses.Batches.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The two losses from pytorch-metric-learning on the {@link AbstractBatchLoss} extension point. */
class NTXentAndMultiSimilarityLossTest {

  @Provide
  Arbitrary<Distance> distances() {
    return Batches.distances();
  }

  @Provide
  Arbitrary<Reduction> reductions() {
    return Batches.scalarReductions();
  }

  // ---- NT-Xent ----

  @Test
  void ntXentHandWorked() {
    // Two classes of two identical unit vectors, orthogonal to each other: each of the 4 positive
    // pairs has cosine 1 against two negatives of cosine 0.
    double[][] x = {{1, 0}, {1, 0}, {0, 1}, {0, 1}};
    int[] y = {0, 0, 1, 1};
    LossHarness.BatchEval t1 = LossHarness.eval(NTXentLoss.builder().temperature(1).build(), x, y);
    assertEquals(Math.log(1 + 2 / Math.E), t1.value(), 1e-12); // 0.551444...
    assertEquals(0.5514447139320511, t1.value32()[0], 1e-6);
    // Temperature 0.5 doubles every logit: log(1 + 2 e^-2).
    assertEquals(
        0.23954476622188453,
        LossHarness.eval(NTXentLoss.builder().temperature(0.5).build(), x, y).value(),
        1e-12);
  }

  @Test
  void ntXentWithASmallTemperatureAndFarApartEmbeddingsDoesNotOverflow() {
    // Euclidean distances of 100 over temperature 0.01 are logits of -10^4: exp underflows to 0
    // unless the maximum is factored out first.
    double[][] x = {{0}, {100}, {300}, {700}};
    int[] y = {0, 0, 1, 1};
    NTXentLoss loss = NTXentLoss.builder().temperature(0.01).distance(Distances.EUCLIDEAN).build();
    LossHarness.BatchEval e = LossHarness.eval(loss, x, y);
    Batches.assertFinite(e, "far apart");
    // Pairs (0,1), (1,0) and (3,2) have their negatives far beyond the positive: about 0. Pair
    // (2,3): d = 400 against negatives at 300 and 200: log(1 + e^10000 + e^20000) = 20000.
    // Mean over the 4 pairs: 5000. (A plain-loop oracle overflows here.)
    assertEquals(5000, e.value(), 1e-9);
    assertEquals(5000, e.value32()[0], 1e-2);
  }

  @Property(tries = 40)
  void ntXentEqualsTheOracle(
      @ForAll("distances") Distance distance,
      @ForAll("reductions") Reduction reduction,
      @ForAll @IntRange(min = 1, max = 9) int batch,
      @ForAll @IntRange(min = 1, max = 4) int classes,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] x = Batches.gaussian(r, batch, 4);
    int[] y = Batches.labels(r, batch, classes);
    double temperature = new double[] {0.07, 0.5, 1.0}[r.nextInt(3)];
    NTXentLoss loss =
        NTXentLoss.builder()
            .temperature(temperature)
            .distance(distance)
            .reduction(reduction)
            .build();
    if (reduction == Reduction.MEAN_OVER_NONZERO) {
      // Which terms count is discontinuous at 0: a term that underflows to 0 on one side and not
      // on the other would change the count.
      Assume.that(clearOfZero(Oracle.ntXentTerms(distance, temperature, x, y)));
    }
    double expected = Oracle.ntXent(distance, temperature, reduction, x, y);
    LossHarness.BatchEval e = LossHarness.eval(loss, x, y);
    assertClose(expected, e.value(), 1e-9, "float64");
    // float32 rounding of distances is amplified by 1 / temperature.
    assertClose(expected, e.value32()[0], 2e-3 / temperature, "float32");
    assertTrue(e.value() >= 0);
    Batches.assertFinite(e, loss.toString());
  }

  @Property(tries = 15)
  void ntXentGradientMatchesFiniteDifferences(
      @ForAll("distances") Distance distance,
      @ForAll @IntRange(min = 2, max = 3) int p,
      @ForAll @IntRange(min = 2, max = 3) int k,
      @ForAll long seed) {
    Random r = new Random(seed);
    int[] y = Batches.pk(r, p, k);
    double[][] x = Batches.gaussian(r, y.length, 3);
    Assume.that(Batches.smallestGap(Oracle.pairwise(distance, x)) > 1e-3);
    double temperature = 0.5;
    NTXentLoss loss = NTXentLoss.builder().temperature(temperature).distance(distance).build();
    double[][] analytic = LossHarness.eval(loss, x, y).gradient64();
    double[][] numeric =
        LossHarness.finiteDifferences(
            xx -> Oracle.ntXent(distance, temperature, Reduction.MEAN, xx, y), x, 1e-6);
    for (int i = 0; i < x.length; i++) {
      assertArrayEquals(numeric[i], analytic[i], 1e-5, distance + " row " + i);
    }
  }

  // ---- Multi-similarity ----

  @Test
  void multiSimilarityMatchesTensorFlowAddonsDocstring() {
    // tfa.losses.MultiSimilarityLoss()([[0.97], [0.91], [0.03]], [[1.0], [1.0], [0.0]]) prints
    // 0.009241962: three distinct labels, embeddings [1], [1], [0], lambda 1, no mining.
    double[][] x = {{1}, {1}, {0}};
    int[] y = {97, 91, 3};
    MultiSimilarityLoss loss = MultiSimilarityLoss.builder().base(1.0).noMining().build();
    LossHarness.BatchEval e = LossHarness.eval(loss, x, y);
    assertEquals(0.009241962407465937, e.value(), 1e-12);
    assertEquals(0.009241962, e.value32()[0], 1e-8);
  }

  @Test
  void multiSimilarityHandWorkedWithMining() {
    // Unit vectors at angles 0 and 0.6 (class 0), 0.9 and 3 (class 1), alpha 2, beta 50, base 0.5.
    double[][] x = new double[4][];
    double[] angles = {0, 0.6, 0.9, 3};
    for (int i = 0; i < 4; i++) {
      x[i] = new double[] {Math.cos(angles[i]), Math.sin(angles[i])};
    }
    int[] y = {0, 0, 1, 1};
    // Anchor 0: positive at cosine cos 0.6 = 0.825, negatives at cos 0.9 = 0.622 and cos 3 =
    // -0.990. Mining with epsilon 0.1 keeps the positive only if 0.825 - 0.1 < 0.622 (no) and a
    // negative only if its cosine + 0.1 > 0.825 (no): anchor 0 costs 0. Anchor 1's pairs are kept.
    double expected =
        Oracle.reduceExisting(
            Reduction.MEAN,
            Oracle.asList(Oracle.multiSimilarityTerms(2, 50, 0.5, 0.1, true, x, y)));
    assertEquals(0.0, Oracle.multiSimilarityTerms(2, 50, 0.5, 0.1, true, x, y)[0], 0.0);
    LossHarness.BatchEval e = LossHarness.eval(MultiSimilarityLoss.create(), x, y);
    assertEquals(expected, e.value(), 1e-12);
    assertTrue(expected > 0);
  }

  @Property(tries = 40)
  void multiSimilarityEqualsTheOracle(
      @ForAll boolean mining,
      @ForAll("reductions") Reduction reduction,
      @ForAll @IntRange(min = 1, max = 9) int batch,
      @ForAll @IntRange(min = 1, max = 4) int classes,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[][] x = Batches.gaussian(r, batch, 4);
    int[] y = Batches.labels(r, batch, classes);
    double alpha = 2;
    double beta = r.nextBoolean() ? 50 : 10;
    double base = 0.5;
    double epsilon = 0.1;
    MultiSimilarityLoss.Builder b =
        MultiSimilarityLoss.builder().alpha(alpha).beta(beta).base(base).reduction(reduction);
    MultiSimilarityLoss loss = mining ? b.epsilon(epsilon).build() : b.noMining().build();
    Assume.that(miningIsClearOfTies(x, y, epsilon));
    if (reduction == Reduction.MEAN_OVER_NONZERO) {
      Assume.that(
          clearOfZero(
              Oracle.asList(
                  Oracle.multiSimilarityTerms(alpha, beta, base, epsilon, mining, x, y))));
    }
    double expected =
        Oracle.reduceExisting(
            reduction,
            Oracle.asList(Oracle.multiSimilarityTerms(alpha, beta, base, epsilon, mining, x, y)));
    LossHarness.BatchEval e = LossHarness.eval(loss, x, y);
    assertClose(expected, e.value(), 1e-9, "float64");
    assertClose(expected, e.value32()[0], 1e-3, "float32");
    assertTrue(e.value() >= 0);
    Batches.assertFinite(e, loss.toString());
  }

  /** Whether every term is exactly 0 or clearly above it (not one that rounding could zero). */
  private static boolean clearOfZero(java.util.List<Double> terms) {
    return terms.stream().allMatch(t -> t == 0 || t > 1e-6);
  }

  /** Whether no similarity is within 1e-4 of a mining threshold (where float32 may decide else). */
  private static boolean miningIsClearOfTies(double[][] x, int[] y, double epsilon) {
    double[][] s = new double[x.length][x.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x.length; j++) {
        s[i][j] = 1 - Oracle.distance(Distances.COSINE, x[i], x[j]);
      }
    }
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x.length; j++) {
        for (int k = 0; k < x.length; k++) {
          boolean jPos = j != i && y[j] == y[i];
          boolean kNeg = y[k] != y[i];
          if (jPos && kNeg && Math.abs(Math.abs(s[i][j] - s[i][k]) - epsilon) < 1e-4) {
            return false;
          }
        }
      }
    }
    return true;
  }

  @Property(tries = 15)
  void multiSimilarityGradientMatchesFiniteDifferences(
      @ForAll boolean mining,
      @ForAll @IntRange(min = 2, max = 3) int p,
      @ForAll @IntRange(min = 2, max = 3) int k,
      @ForAll long seed) {
    Random r = new Random(seed);
    int[] y = Batches.pk(r, p, k);
    double[][] x = Batches.gaussian(r, y.length, 3);
    Assume.that(miningIsClearOfTies(x, y, 0.1));
    // beta 10 keeps the finite differences well conditioned; the code path is the same.
    MultiSimilarityLoss.Builder b = MultiSimilarityLoss.builder().beta(10);
    MultiSimilarityLoss loss = mining ? b.build() : b.noMining().build();
    double[][] analytic = LossHarness.eval(loss, x, y).gradient64();
    double[][] numeric =
        LossHarness.finiteDifferences(
            xx ->
                Oracle.reduceExisting(
                    Reduction.MEAN,
                    Oracle.asList(Oracle.multiSimilarityTerms(2, 10, 0.5, 0.1, mining, xx, y))),
            x,
            1e-6);
    for (int i = 0; i < x.length; i++) {
      assertArrayEquals(numeric[i], analytic[i], 1e-5, "row " + i);
    }
  }

  @Test
  void multiSimilarityWithLargeScalesDoesNotOverflow() {
    // beta 1000 on similarities up to 1 with base 0: exp(1000) overflows even a double.
    double[][] x = {{1, 0}, {0.9, 0.1}, {1, 0.05}, {-1, 0}};
    int[] y = {0, 0, 1, 1};
    MultiSimilarityLoss loss =
        MultiSimilarityLoss.builder().alpha(1000).beta(1000).base(0).noMining().build();
    LossHarness.BatchEval e = LossHarness.eval(loss, x, y);
    Batches.assertFinite(e, "large scales");
    assertTrue(e.value() > 0.5, "the near negative costs about its similarity: " + e.value());
  }

  @Property(tries = 15)
  void bothAreInvariantToBatchOrder(
      @ForAll @IntRange(min = 2, max = 9) int batch, @ForAll long seed) {
    Random r = new Random(seed);
    double[][] x = Batches.gaussian(r, batch, 3);
    int[] y = Batches.labels(r, batch, 3);
    Assume.that(miningIsClearOfTies(x, y, 0.1));
    int[] order = Batches.shuffledOrder(r, batch);
    for (BatchLoss loss : new BatchLoss[] {NTXentLoss.create(), MultiSimilarityLoss.create()}) {
      assertClose(
          LossHarness.eval(loss, x, y).value(),
          LossHarness.eval(loss, Batches.permuteRows(x, order), Batches.permute(y, order)).value(),
          1e-10,
          loss.toString());
    }
  }

  @Test
  void settingsDefaultsAndValues() {
    NTXentLoss nt = NTXentLoss.create();
    assertEquals(0.07, nt.temperature());
    assertEquals(Distances.COSINE, nt.distance());
    assertEquals(Reduction.MEAN, nt.reduction());
    assertEquals("NTXentLoss(temperature 0.07, cosine, MEAN)", nt.toString());
    assertEquals(nt, NTXentLoss.builder().temperature(0.07).build());
    assertEquals(nt.hashCode(), NTXentLoss.builder().distance(Distances.COSINE).build().hashCode());
    MultiSimilarityLoss ms = MultiSimilarityLoss.create();
    assertEquals(2, ms.alpha());
    assertEquals(50, ms.beta());
    assertEquals(0.5, ms.base());
    assertEquals(0.1, ms.epsilon());
    assertTrue(ms.isMining());
    assertEquals(Distances.COSINE, ms.distance());
    assertEquals(
        "MultiSimilarityLoss(alpha 2.0, beta 50.0, base 0.5, epsilon 0.1, MEAN)", ms.toString());
    assertEquals(
        "MultiSimilarityLoss(alpha 2.0, beta 50.0, base 1.0, no mining, SUM)",
        MultiSimilarityLoss.builder()
            .base(1)
            .noMining()
            .reduction(Reduction.SUM)
            .build()
            .toString());
    assertNotEquals(ms, MultiSimilarityLoss.builder().noMining().build());
    assertEquals(ms, MultiSimilarityLoss.builder().epsilon(0.1).alpha(2).build());
    ContrastiveLossTest.assertMessage(
        IllegalArgumentException.class,
        () -> NTXentLoss.builder().temperature(0),
        "temperature must be finite and > 0, got 0.0");
    ContrastiveLossTest.assertMessage(
        IllegalStateException.class,
        () -> NTXentLoss.builder().temperature(0.1).temperature(0.2),
        "temperature was already set to 0.1");
    ContrastiveLossTest.assertMessage(
        IllegalArgumentException.class,
        () -> MultiSimilarityLoss.builder().alpha(-2),
        "alpha must be finite and > 0, got -2.0");
    ContrastiveLossTest.assertMessage(
        IllegalArgumentException.class,
        () -> MultiSimilarityLoss.builder().base(Double.POSITIVE_INFINITY),
        "base must be finite, got Infinity");
    ContrastiveLossTest.assertMessage(
        IllegalArgumentException.class,
        () -> MultiSimilarityLoss.builder().epsilon(-0.1),
        "epsilon must be finite and >= 0, got -0.1");
    ContrastiveLossTest.assertMessage(
        IllegalArgumentException.class,
        () -> MultiSimilarityLoss.builder().epsilon(0.2).noMining().build(),
        "mining is off and epsilon was set to 0.2");
    ContrastiveLossTest.assertMessage(
        IllegalStateException.class,
        () -> MultiSimilarityLoss.builder().noMining().noMining(),
        "mining was already set to no mining");
    ContrastiveLossTest.assertMessage(
        IllegalArgumentException.class,
        () -> NTXentLoss.builder().reduction(Reduction.NONE),
        "got NONE");
  }
}
