package io.siamese.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PairMetricsTest {

  @Test
  void handWorkedExample() {
    // Distances of same pairs: 0.1, 0.4, 0.35; different pairs: 0.3, 0.8.
    // Concordant (same closer than different): 0.1<0.3, 0.1<0.8, 0.4<0.8, 0.35<0.8; 0.4>0.3, 0.35>0.3.
    // AUC = 4 / (3 * 2) = 0.6667.
    double[] d = {0.1, 0.4, 0.35, 0.3, 0.8};
    boolean[] same = {true, true, true, false, false};
    PairMetrics m = PairMetrics.of(d, same);
    assertEquals(4.0 / 6.0, m.rocAuc(), 1e-12);
    // Sorted: 0.1 S, 0.3 D, 0.35 S, 0.4 S, 0.8 D. Cutting after 0.4 gets 4 of 5 right.
    assertEquals(0.8, m.bestAccuracy(), 1e-12);
    assertEquals(0.6, m.bestThreshold(), 1e-12);
    assertEquals(0.8, m.accuracyAt(0.6), 1e-12);
    assertEquals(0.4, m.accuracyAt(0.0), 1e-12);
    assertEquals(3, m.positives());
  }

  @Test
  void confusionRocEqualErrorAndFalseAcceptOperatingPointOfTheHandWorkedExample() {
    // Sorted: 0.1 S, 0.3 D, 0.35 S, 0.4 S, 0.8 D (3 same, 2 different).
    PairMetrics m =
        PairMetrics.of(new double[] {0.1, 0.4, 0.35, 0.3, 0.8}, new boolean[] {true, true, true, false, false});
    Confusion c = m.at(0.35);
    assertEquals(new Confusion(0.35, 2, 1, 1, 1), c);
    assertEquals(2.0 / 3, c.precision(), 1e-12);
    assertEquals(2.0 / 3, c.recall(), 1e-12);
    assertEquals(2.0 / 3, c.f1(), 1e-12);
    assertEquals(0.5, c.falseAcceptRate(), 1e-12);
    assertEquals(1.0 / 3, c.falseRejectRate(), 1e-12);

    List<RocPoint> roc = m.rocCurve();
    assertEquals(6, roc.size());
    assertEquals(new RocPoint(0.3, 0.5, 1.0 / 3), roc.get(2));
    assertEquals(new RocPoint(0.8, 1, 1), roc.get(5));
    assertEquals(0, roc.get(0).truePositiveRate());

    // (FAR, FRR) per point: (0,1) (0,2/3) (1/2,2/3) (1/2,1/3) (1/2,0) (1,0): closest first at 0.3.
    assertEquals(7.0 / 12, m.equalErrorRate(), 1e-12);
    assertEquals(0.3, m.equalErrorThreshold(), 1e-12);

    assertEquals(0.1, m.thresholdAtFalseAcceptRate(0.0), 1e-12);
    assertEquals(0.1, m.thresholdAtFalseAcceptRate(0.49), 1e-12);
    assertEquals(0.4, m.thresholdAtFalseAcceptRate(0.5), 1e-12);
    assertEquals(0.8, m.thresholdAtFalseAcceptRate(1.0), 1e-12);
  }

  @Property(tries = 200)
  void falseAcceptOperatingPointIsTheLargestCutWithinTheTarget(
      @ForAll @IntRange(min = 2, max = 40) int n,
      @ForAll @IntRange(min = 0, max = 100) int targetPercent,
      @ForAll long seed) {
    Random r = new Random(seed);
    double[] d = new double[n];
    boolean[] same = new boolean[n];
    for (int i = 0; i < n; i++) {
      d[i] = r.nextInt(10) / 4.0;
      same[i] = i == 0 || (i != 1 && r.nextBoolean());
    }
    double target = targetPercent / 100.0;
    PairMetrics m = PairMetrics.of(d, same);
    double t = m.thresholdAtFalseAcceptRate(target);
    assertTrue(m.at(t).falseAcceptRate() <= target + 1e-12);
    for (double candidate : d) {
      if (candidate > t) {
        assertTrue(m.at(candidate).falseAcceptRate() > target, "a larger cut " + candidate + " also fits");
      }
    }
  }

  @Test
  void tiesCountOneHalf() {
    PairMetrics m = PairMetrics.of(new double[] {0.5, 0.5}, new boolean[] {true, false});
    assertEquals(0.5, m.rocAuc(), 1e-12);
  }

  @Property(tries = 200)
  void aucEqualsBruteForceCountOfConcordantPairs(
      @ForAll @IntRange(min = 2, max = 60) int n, @ForAll long seed) {
    Random r = new Random(seed);
    double[] d = new double[n];
    boolean[] same = new boolean[n];
    for (int i = 0; i < n; i++) {
      // Coarse values so that ties happen.
      d[i] = r.nextInt(8) / 4.0;
      same[i] = i == 0 || (i != 1 && r.nextBoolean());
    }
    double concordant = 0;
    int pairs = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (same[i] && !same[j]) {
          pairs++;
          concordant += d[i] < d[j] ? 1 : d[i] == d[j] ? 0.5 : 0;
        }
      }
    }
    assertEquals(concordant / pairs, PairMetrics.of(d, same).rocAuc(), 1e-12);
  }

  @Property(tries = 200)
  void bestThresholdIsAsGoodAsAnyLinearScanThreshold(
      @ForAll @IntRange(min = 2, max = 60) int n, @ForAll long seed) {
    Random r = new Random(seed);
    double[] d = new double[n];
    boolean[] same = new boolean[n];
    for (int i = 0; i < n; i++) {
      d[i] = r.nextInt(10) / 3.0;
      same[i] = i == 0 || (i != 1 && r.nextBoolean());
    }
    PairMetrics m = PairMetrics.of(d, same);
    double best = 0;
    for (double t = -1; t <= 5; t += 1 / 6.0) {
      int correct = 0;
      for (int i = 0; i < n; i++) {
        if ((d[i] <= t) == same[i]) {
          correct++;
        }
      }
      best = Math.max(best, correct / (double) n);
    }
    assertEquals(best, m.bestAccuracy(), 1e-12);
    assertEquals(m.bestAccuracy(), m.accuracyAt(m.bestThreshold()), 1e-12);
  }

  @Test
  void badInputNamesTheProblem() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> PairMetrics.of(new double[0], new boolean[0]))
            .getMessage()
            .contains("at least one pair"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> PairMetrics.of(new double[] {1, 2}, new boolean[] {true}))
            .getMessage()
            .contains("2 vs 1"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> PairMetrics.of(new double[] {1, Double.NaN}, new boolean[] {true, false}))
            .getMessage()
            .contains("NaN"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> PairMetrics.of(new double[] {1, 2}, new boolean[] {true, true}))
            .getMessage()
            .contains("both same and different"));
  }
}
