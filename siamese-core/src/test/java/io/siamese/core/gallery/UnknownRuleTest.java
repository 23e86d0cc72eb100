package io.siamese.core.gallery;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.Embedder;
import io.siamese.core.EmbeddingSpace;
import io.siamese.core.evaluation.OperatingPoint;
import io.siamese.data.ExampleShape;
import io.siamese.losses.Distances;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The distance-ratio rule and the per-label search it needs, against brute force. */
class UnknownRuleTest {
  private static final EmbeddingSpace SPACE = new EmbeddingSpace(3, Distances.EUCLIDEAN, "model-a");

  @Test
  void nearestLabelsIsEachLabelsNearestExampleInOrderAsBruteForceFindsThem() {
    SplittableRandom r = new SplittableRandom(7);
    // Class 0 crowds the query's neighbourhood with 300 examples, so finding a second label
    // takes the default search several rounds.
    float[][] rows = new float[400][];
    int[] labels = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      labels[i] = i < 300 ? 0 : 1 + i % 25;
      double scale = i < 300 ? 0.1 : 2.0;
      rows[i] = new float[] {(float) (scale * r.nextGaussian()), (float) (scale * r.nextGaussian()), (float) (scale * r.nextGaussian())};
    }
    try (InMemoryGallery<Integer> g = InMemoryGallery.create(SPACE)) {
      for (int i = 0; i < rows.length; i++) {
        g.enrol(labels[i], rows[i]);
      }
      for (int q = 0; q < 20; q++) {
        float[] query = {(float) (0.05 * r.nextGaussian()), (float) (0.05 * r.nextGaussian()), (float) (0.05 * r.nextGaussian())};
        for (int want : new int[] {1, 2, 5, 26, 40}) {
          List<Neighbor<Integer>> got = g.nearestLabels(query, want);
          List<double[]> expected = bruteForce(rows, labels, query, want);
          assertEquals(expected.size(), got.size(), "labels for " + want);
          for (int i = 0; i < got.size(); i++) {
            assertEquals((int) expected.get(i)[0], got.get(i).label(), "label " + i);
            assertEquals(expected.get(i)[1], got.get(i).distance(), 1e-6, "distance " + i);
          }
        }
      }
    }
  }

  /** (label, distance) of each label's nearest row, nearest first, at most {@code want}. */
  private static List<double[]> bruteForce(float[][] rows, int[] labels, float[] q, int want) {
    Map<Integer, Double> best = new LinkedHashMap<>();
    for (int i = 0; i < rows.length; i++) {
      double d = Distances.EUCLIDEAN.between(rows[i], q);
      best.merge(labels[i], d, Math::min);
    }
    List<double[]> out = new ArrayList<>();
    best.forEach((l, d) -> out.add(new double[] {l, d}));
    out.sort(Comparator.comparingDouble(a -> a[1]));
    return out.subList(0, Math.min(want, out.size()));
  }

  @Test
  void theRatioRuleComparesTheNearestClassWithTheNextAndTheDistanceRuleDoesNot() {
    try (InMemoryGallery<String> g = InMemoryGallery.create(SPACE)) {
      g.enrol("a", new float[] {0, 0, 0});
      g.enrol("a", new float[] {0.1f, 0, 0});
      g.enrol("b", new float[] {4, 0, 0});
      // Query at x = 1: nearest a at 0.9, nearest b at 3; ratio 0.3.
      float[] q = {1, 0, 0};
      OneShotPrediction<String> p = g.classify(q, UnknownRule.distanceRatio(0.31));
      assertEquals("a", p.nearest());
      assertEquals(0.9, p.distance(), 1e-6);
      assertTrue(p.known());
      assertFalse(g.classify(q, UnknownRule.distanceRatio(0.29)).known());
      // The distance rule ignores b: known up to 0.9 only.
      assertTrue(g.classify(q, UnknownRule.distance(0.91)).known());
      assertFalse(g.classify(q, UnknownRule.distance(0.89)).known());
      // Half-way between the classes the ratio is 1: unknown below a threshold of 1.
      assertFalse(g.classify(new float[] {2.05f, 0, 0}, UnknownRule.distanceRatio(0.99)).known());
      assertTrue(g.classify(new float[] {2.05f, 0, 0}, UnknownRule.distanceRatio(1)).known());
    }
  }

  @Test
  void oneEnrolledClassHasNoRatioAndSaysSo() {
    try (InMemoryGallery<String> g = InMemoryGallery.create(SPACE)) {
      assertMessage(IllegalStateException.class, () -> g.classify(new float[3], UnknownRule.distanceRatio(0.8)), "no example is enrolled");
      g.enrol("only", new float[] {1, 1, 1});
      g.enrol("only", new float[] {1, 2, 1});
      assertMessage(IllegalStateException.class, () -> g.classify(new float[3], UnknownRule.distanceRatio(0.8)),
          "only one class (only) is enrolled");
    }
  }

  @Test
  void scoresAndSettings() {
    assertEquals(0.25, UnknownRule.Kind.DISTANCE_RATIO.score(1, 4), 0);
    assertEquals(0, UnknownRule.Kind.DISTANCE_RATIO.score(1, Double.POSITIVE_INFINITY), 0);
    assertEquals(1, UnknownRule.Kind.DISTANCE_RATIO.score(0, 0), 0);
    assertEquals(3, UnknownRule.Kind.DISTANCE.score(3, 4), 0);
    assertMessage(IllegalArgumentException.class, () -> UnknownRule.distanceRatio(1.5), "must be in [0, 1], got 1.5");
    assertMessage(IllegalArgumentException.class, () -> UnknownRule.distance(0), "must be > 0");
    assertMessage(IllegalArgumentException.class, () -> UnknownRule.distanceRatio(Double.NaN), "got NaN");
  }

  @Test
  void anOperatingPointKeepsItsRuleThroughItsTextForm() {
    OperatingPoint ratio = new OperatingPoint("open-set-ratio-far-0.05", 0.82, OperatingPoint.Criterion.OPEN_SET_DISTANCE_RATIO, 0.05, "x");
    OperatingPoint back = OperatingPoint.parse(ratio.name(), ratio.describe());
    assertEquals(ratio, back);
    assertEquals(UnknownRule.distanceRatio(0.82), back.unknownRule());
    assertEquals(UnknownRule.distance(0.5), OperatingPoint.manual("m", 0.5, "").unknownRule());
    assertMessage(IllegalArgumentException.class,
        () -> new OperatingPoint("r", 1.2, OperatingPoint.Criterion.OPEN_SET_DISTANCE_RATIO, 0.05, ""), "must be in [0, 1], got 1.2");
  }

  /** Embeds a 3-float example as itself. */
  private static Embedder identity() {
    return new Embedder() {
      @Override
      public ExampleShape inputShape() {
        return ExampleShape.vector(3);
      }

      @Override
      public int embeddingSize() {
        return 3;
      }

      @Override
      public float[][] embed(float[][] examples) {
        return examples.clone();
      }

      @Override
      public EmbeddingSpace embeddingSpace() {
        return SPACE;
      }
    };
  }

  @Test
  void aClassifierAnswersByItsRule() {
    try (InMemoryGallery<String> g = InMemoryGallery.create(SPACE)) {
      g.enrol("a", new float[] {0, 0, 0});
      g.enrol("b", new float[] {4, 0, 0});
      OneShotClassifier<String> c = OneShotClassifier.of(identity(), g, UnknownRule.distanceRatio(0.5));
      assertEquals(UnknownRule.distanceRatio(0.5), c.unknownRule());
      assertEquals(0.5, c.unknownThreshold());
      // x = 1: ratio 1/3, known; x = 1.5: ratio 0.6, unknown.
      assertEquals("a", c.classify(new float[] {1, 0, 0}).label().orElseThrow());
      assertTrue(c.classify(new float[] {1.5f, 0, 0}).label().isEmpty());
      assertTrue(c.classifyEmbedding(new float[] {1.5f, 0, 0}).label().isEmpty());
    }
  }
}
