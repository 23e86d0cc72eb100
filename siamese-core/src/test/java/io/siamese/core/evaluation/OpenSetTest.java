package io.siamese.core.evaluation;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.Embedder;
import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.UnknownRule;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.losses.Distances;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Open-set identification: the result's rates against counting by hand, and the protocol on embedders whose answers are known. */
class OpenSetTest {

  @Test
  void ratesAndCalibratedThresholdsMatchCountingByHand() {
    SplittableRandom r = new SplittableRandom(5);
    double[] known = new double[300];
    boolean[] ok = new boolean[300];
    double[] unknown = new double[500];
    for (int i = 0; i < known.length; i++) {
      known[i] = r.nextDouble();
      ok[i] = r.nextInt(10) < 8;
    }
    for (int i = 0; i < unknown.length; i++) {
      unknown[i] = 0.3 + r.nextDouble();
    }
    OpenSetResult result = new OpenSetResult(known, ok, unknown, 20, 1);
    for (double t : new double[] {0, 0.2, 0.35, 0.5, 0.9, 1.5}) {
      int fa = 0;
      for (double u : unknown) {
        fa += u <= t ? 1 : 0;
      }
      int hit = 0;
      for (int i = 0; i < known.length; i++) {
        hit += ok[i] && known[i] <= t ? 1 : 0;
      }
      assertEquals(fa / 500.0, result.falseAlarmRate(t), 1e-12);
      assertEquals(hit / 300.0, result.detectionAndIdentificationRate(t), 1e-12);
    }
    for (double far : new double[] {0, 0.01, 0.05, 0.1, 0.5}) {
      double t = result.thresholdAtFalseAlarmRate(far);
      assertTrue(result.falseAlarmRate(t) <= far + 1e-12, far + " -> " + result.falseAlarmRate(t));
      // The largest such threshold: a little more lets one more never-enrolled probe in.
      assertTrue(result.falseAlarmRate(Math.nextUp(Math.nextUp(t))) > far || far == 0.5, "far " + far);
      assertEquals(result.detectionAndIdentificationRate(t), result.dirAtFar(far), 0);
    }
    assertEquals(OperatingPoint.Criterion.OPEN_SET_FALSE_ALARM_RATE, result.falseAlarmRatePoint(0.05, "x").criterion());
    assertTrue(result.toString().contains("at FAR 1% / 5% / 10%"), result.toString());
  }

  @Test
  void ratioRatesAndThresholdsMatchCountingByHand() {
    SplittableRandom r = new SplittableRandom(9);
    int nk = 200;
    int nu = 300;
    double[] known = new double[nk];
    double[] knownSecond = new double[nk];
    boolean[] ok = new boolean[nk];
    double[] unknown = new double[nu];
    double[] unknownSecond = new double[nu];
    for (int i = 0; i < nk; i++) {
      known[i] = r.nextDouble();
      knownSecond[i] = i % 50 == 0 ? Double.POSITIVE_INFINITY : known[i] + 2 * r.nextDouble();
      ok[i] = r.nextInt(10) < 8;
    }
    for (int i = 0; i < nu; i++) {
      unknown[i] = 0.2 + r.nextDouble();
      unknownSecond[i] = unknown[i] + 0.5 * r.nextDouble();
    }
    OpenSetResult result = new OpenSetResult(known, ok, knownSecond, unknown, unknownSecond, 20, 1);
    UnknownRule.Kind ratio = UnknownRule.Kind.DISTANCE_RATIO;
    for (double t : new double[] {0, 0.3, 0.5, 0.7, 0.9, 1}) {
      int fa = 0;
      for (int i = 0; i < nu; i++) {
        fa += unknown[i] / unknownSecond[i] <= t ? 1 : 0;
      }
      int hit = 0;
      for (int i = 0; i < nk; i++) {
        double score = knownSecond[i] == Double.POSITIVE_INFINITY ? 0 : known[i] / knownSecond[i];
        hit += ok[i] && score <= t ? 1 : 0;
      }
      assertEquals(fa / (double) nu, result.falseAlarmRate(ratio, t), 1e-12, "FAR at " + t);
      assertEquals(hit / (double) nk, result.detectionAndIdentificationRate(ratio, t), 1e-12, "DIR at " + t);
    }
    for (double far : new double[] {0, 0.01, 0.05, 0.1}) {
      double t = result.thresholdAtFalseAlarmRate(ratio, far);
      assertTrue(result.falseAlarmRate(ratio, t) <= far + 1e-12, far + " -> " + result.falseAlarmRate(ratio, t));
      assertTrue(result.falseAlarmRate(ratio, Math.nextUp(Math.nextUp(t))) > far, "far " + far);
      OperatingPoint p = result.falseAlarmRatePoint(ratio, far, "x");
      assertEquals(UnknownRule.distanceRatio(t), p.unknownRule());
      assertEquals("open-set-ratio-far-" + far, p.name());
    }
    // The distance rule is unchanged by the second distances.
    assertEquals(new OpenSetResult(known, ok, unknown, 20, 1).dirAtFar(0.05), result.dirAtFar(0.05), 0);
    assertTrue(result.toString().contains("(distance ratio)"), result.toString());
    assertMessage(IllegalStateException.class, () -> new OpenSetResult(known, ok, unknown, 20, 1).dirAtFar(ratio, 0.05),
        "no second-class distances");
  }

  @Test
  void theEvaluatorsRatiosAreTheGallerysOwn() {
    // A noisy embedder, so that ratios spread: the evaluator's ratio rates must agree with its
    // distance rates at the extremes and stay within [0, 1].
    OpenSetResult r = OpenSetEvaluator.builder(grouped()).enrolledClasses(5).probesPerClass(2, 2).trials(40).seed(4).build()
        .evaluate(embedder(0.05f), Distances.EUCLIDEAN);
    UnknownRule.Kind ratio = UnknownRule.Kind.DISTANCE_RATIO;
    assertTrue(r.hasDistanceRatios());
    assertEquals(1.0, r.falseAlarmRate(ratio, 1.0), 0);
    assertEquals(r.closedSetAccuracy(), r.detectionAndIdentificationRate(ratio, 1.0), 0);
    assertEquals(r.closedSetAccuracy(), r.detectionAndIdentificationRate(Double.POSITIVE_INFINITY), 0);
    double t = r.thresholdAtFalseAlarmRate(ratio, 0.1);
    assertTrue(t >= 0 && t <= 1, "threshold " + t);
    assertTrue(r.falseAlarmRate(ratio, t) <= 0.1);
  }

  /** Ten groups of eight classes, five examples each; feature 0 is the class, feature 1 noise. */
  private static LabeledDataset grouped() {
    int n = 10 * 8 * 5;
    float[] f = new float[n * 2];
    int[] labels = new int[n];
    int[] groups = new int[n];
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < n; i++) {
      labels[i] = i / 5;
      groups[i] = i / 40;
      f[2 * i] = labels[i];
      f[2 * i + 1] = (float) r.nextDouble();
    }
    return LabeledDataset.builder(f, labels, ExampleShape.vector(2)).groups(groups).build();
  }

  /** Embeds example x as (class * spread, noise): classes apart, or all piled on one another when spread is 0. */
  private static Embedder embedder(float spread) {
    return new Embedder() {
      @Override
      public ExampleShape inputShape() {
        return ExampleShape.vector(2);
      }

      @Override
      public int embeddingSize() {
        return 2;
      }

      @Override
      public float[][] embed(float[][] examples) {
        float[][] out = new float[examples.length][];
        for (int i = 0; i < examples.length; i++) {
          out[i] = new float[] {examples[i][0] * spread, examples[i][1] * 0.1f};
        }
        return out;
      }

      @Override
      public EmbeddingSpace embeddingSpace() {
        return new EmbeddingSpace(2, Distances.EUCLIDEAN, "test");
      }
    };
  }

  @Test
  void aPerfectEmbedderIdentifiesEveryProbeAtNoFalseAlarm() {
    OpenSetResult r = OpenSetEvaluator.builder(grouped()).enrolledClasses(5).probesPerClass(2, 2).trials(30).seed(1).build()
        .evaluate(embedder(100), Distances.EUCLIDEAN);
    assertEquals(30 * 5 * 2, r.knownProbes());
    assertEquals(30 * 3 * 2, r.unknownProbes());
    assertEquals(1.0, r.closedSetAccuracy());
    assertEquals(1.0, r.dirAtFar(0.0));
    assertEquals(0.0, r.falseAlarmRate(r.thresholdAtFalseAlarmRate(0.0)));
  }

  @Test
  void anEmbedderThatCannotTellClassesApartNeverBeatsChance() {
    OpenSetResult r = OpenSetEvaluator.builder(grouped()).enrolledClasses(5).trials(200).seed(3).build()
        .evaluate(embedder(0), Distances.EUCLIDEAN);
    // Identification is a draw among the 5 enrolled classes, and at a low false-alarm rate nothing passes.
    assertTrue(r.closedSetAccuracy() < 0.35, r.toString());
    assertTrue(r.dirAtFar(0.01) < 0.05, r.toString());
  }

  @Test
  void badSettingsAreNamed() {
    assertMessage(IllegalStateException.class,
        () -> OpenSetEvaluator.builder(grouped()).enrolledClasses(8).build().evaluate(embedder(1), Distances.EUCLIDEAN),
        "no group has more than 8 classes");
    assertMessage(IllegalArgumentException.class, () -> OpenSetEvaluator.builder(grouped()).trials(0), "trials must be >= 1, got 0");
  }
}
