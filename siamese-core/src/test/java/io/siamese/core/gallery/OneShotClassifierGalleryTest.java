package io.siamese.core.gallery;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import io.siamese.losses.PairLabelConvention;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * The gallery methods of {@link OneShotClassifier} ({@code enrolEmbedding}, {@code
 * classifyEmbedding}) against a plain-Java brute-force oracle over {@link Distance#between}: the
 * same nearest row (the earliest on ties) and bit-for-bit the same distance, for every ready-made
 * distance and a custom one, in galleries below and above the size that is scanned in parallel.
 */
class OneShotClassifierGalleryTest {
  private static final int INPUT = 4;

  /** A model whose embeddings have {@code dim} floats and whose distance is {@code distance}. */
  private static SiameseModel model(int dim, Distance distance) {
    return SiameseModel.builder()
        .encoder(EncoderSpec.builder(ExampleShape.vector(INPUT)).dense(dim).build())
        .loss(ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE).distance(distance).build())
        .seed(3)
        .build();
  }

  /** Chebyshev distance in Java; its graph ops are L1's, which only training would use. */
  private static final Distance CHEBYSHEV =
      new Distance() {
        @Override
        public <T extends TNumber> Operand<T> rowwise(Ops tf, Operand<T> a, Operand<T> b) {
          return Distances.L1.rowwise(tf, a, b);
        }

        @Override
        public <T extends TNumber> Operand<T> pairwise(Ops tf, Operand<T> x) {
          return Distances.L1.pairwise(tf, x);
        }

        @Override
        public double between(float[] a, float[] b) {
          double m = 0;
          for (int k = 0; k < a.length; k++) {
            m = Math.max(m, Math.abs((double) a[k] - b[k]));
          }
          return m;
        }

        @Override
        public String name() {
          return "chebyshev";
        }
      };

  static Stream<Distance> distances() {
    return Stream.of(
        Distances.EUCLIDEAN, Distances.SQUARED_EUCLIDEAN, Distances.L1, Distances.COSINE, CHEBYSHEV);
  }

  /** The oracle: the earliest row at the smallest {@code between} distance. */
  private static int bruteForce(Distance d, float[][] rows, float[] query) {
    int best = 0;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int i = 0; i < rows.length; i++) {
      double x = d.between(query, rows[i]);
      if (x < bestDistance) {
        bestDistance = x;
        best = i;
      }
    }
    return best;
  }

  private static float[][] gaussian(SplittableRandom random, int n, int dim) {
    float[][] rows = new float[n][dim];
    for (float[] row : rows) {
      for (int k = 0; k < dim; k++) {
        row[k] = (float) random.nextGaussian();
      }
    }
    return rows;
  }

  /** Enrols row {@code i} as label {@code i}, one call per row, and checks every query. */
  private static void assertMatchesOracle(Distance d, float[][] rows, float[][] queries, double threshold) {
    try (SiameseModel m = model(rows[0].length, d)) {
      OneShotClassifier<Integer> c = m.oneShotClassifier(threshold);
      for (int i = 0; i < rows.length; i++) {
        c.enrolEmbedding(i, rows[i]);
      }
      assertEquals(rows.length, c.size());
      for (int q = 0; q < queries.length; q++) {
        int expected = bruteForce(d, rows, queries[q]);
        double expectedDistance = d.between(queries[q], rows[expected]);
        OneShotPrediction<Integer> p = c.classifyEmbedding(queries[q]);
        assertEquals(expected, p.nearest(), d.name() + ", query " + q);
        assertEquals(expectedDistance, p.distance(), 0.0, d.name() + ", query " + q);
        assertEquals(expectedDistance <= threshold, p.known(), d.name() + ", query " + q);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("distances")
  void smallGalleryAnswersExactlyWhatBruteForceAnswers(Distance d) {
    SplittableRandom random = new SplittableRandom(1);
    // 1,001 rows: not a multiple of four, so the remainder loop runs too.
    assertMatchesOracle(d, gaussian(random, 1001, 16), gaussian(random, 40, 16), 1.0);
  }

  @ParameterizedTest
  @MethodSource("distances")
  void galleryScannedInParallelAnswersExactlyWhatBruteForceAnswers(Distance d) {
    SplittableRandom random = new SplittableRandom(2);
    int n = ExactSearch.PARALLEL_MIN_FLOATS / 64 + 1003;
    assertMatchesOracle(d, gaussian(random, n, 64), gaussian(random, 10, 64), 10.0);
  }

  /**
   * Rows that differ from one another by a unit in the last place: float sums cannot order them,
   * so the exact recomputation decides, and must decide as the oracle does.
   */
  @ParameterizedTest
  @MethodSource("distances")
  void nearTiesAreDecidedByTheExactDistance(Distance d) {
    SplittableRandom random = new SplittableRandom(3);
    float[] base = gaussian(random, 1, 32)[0];
    float[][] rows = new float[3000][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = base.clone();
      int k = random.nextInt(32);
      int steps = random.nextInt(-3, 4);
      for (int s = 0; s < Math.abs(steps); s++) {
        rows[i][k] = steps > 0 ? Math.nextUp(rows[i][k]) : Math.nextDown(rows[i][k]);
      }
    }
    float[][] queries = new float[20][];
    for (int q = 0; q < queries.length; q++) {
      queries[q] = base.clone();
      queries[q][random.nextInt(32)] += (float) (0.5 * random.nextGaussian());
    }
    queries[0] = base.clone();
    assertMatchesOracle(d, rows, queries, 1e-3);
  }

  /** Values whose squares or products overflow float: the float pass must not skip them. */
  @ParameterizedTest
  @MethodSource("distances")
  void hugeValuesAreStillCompared(Distance d) {
    SplittableRandom random = new SplittableRandom(4);
    float[][] rows = gaussian(random, 203, 8);
    for (float[] row : rows) {
      for (int k = 0; k < row.length; k++) {
        row[k] *= 1e25f;
      }
    }
    float[][] queries = gaussian(random, 10, 8);
    for (float[] q : queries) {
      for (int k = 0; k < q.length; k++) {
        q[k] *= 1e25f;
      }
    }
    assertMatchesOracle(d, rows, queries, Double.POSITIVE_INFINITY);
  }

  @Test
  void tiesGoToTheEarliestEnrolmentAcrossParallelBlocks() {
    SplittableRandom random = new SplittableRandom(5);
    int n = 2 * ExactSearch.PARALLEL_MIN_FLOATS / 64;
    float[][] rows = gaussian(random, n, 64);
    float[] twin = rows[n - 10].clone();
    rows[7] = twin.clone();
    try (SiameseModel m = model(64, Distances.EUCLIDEAN)) {
      OneShotClassifier<String> c = m.oneShotClassifier(0.5);
      for (int i = 0; i < n; i++) {
        c.enrolEmbedding("row" + i, rows[i]);
      }
      OneShotPrediction<String> p = c.classifyEmbedding(twin);
      assertEquals("row7", p.nearest());
      assertEquals(0.0, p.distance());
      assertTrue(p.known());
    }
  }

  @Test
  void labelsOfManyRowsKeepTheirClassesAndTheOrderOfFirstEnrolment() {
    SplittableRandom random = new SplittableRandom(6);
    float[][] rows = gaussian(random, 500, 8);
    try (SiameseModel m = model(8, Distances.EUCLIDEAN)) {
      OneShotClassifier<String> c = m.oneShotClassifier(Double.POSITIVE_INFINITY);
      c.enrolEmbeddings("c", new float[][] {rows[0], rows[1]});
      for (int i = 2; i < rows.length; i++) {
        c.enrolEmbedding(i % 2 == 0 ? "a" : "b", rows[i]);
      }
      assertEquals(List.of("c", "a", "b"), List.copyOf(c.classes()));
      assertEquals(500, c.size());
      for (int i = 0; i < rows.length; i += 37) {
        String expected = i < 2 ? "c" : i % 2 == 0 ? "a" : "b";
        assertEquals(expected, c.classifyEmbedding(rows[i]).nearest(), "row " + i);
      }
    }
  }

  @Test
  void embeddingsFromTheModelGiveTheSameAnswersAsExamples() {
    SplittableRandom random = new SplittableRandom(7);
    float[][] examples = gaussian(random, 30, INPUT);
    try (SiameseModel m = model(16, Distances.EUCLIDEAN)) {
      OneShotClassifier<Integer> byExample = m.oneShotClassifier(0.7);
      OneShotClassifier<Integer> byEmbedding = m.oneShotClassifier(0.7);
      float[][] embeddings = m.embed(examples);
      for (int i = 0; i < 20; i++) {
        byExample.enrol(i, examples[i]);
        byEmbedding.enrolEmbedding(i, embeddings[i]);
      }
      for (int i = 0; i < examples.length; i++) {
        // One example at a time and a batch of 30 may round differently inside TensorFlow.
        OneShotPrediction<Integer> a = byExample.classify(examples[i]);
        OneShotPrediction<Integer> b = byEmbedding.classifyEmbedding(embeddings[i]);
        assertEquals(a.nearest(), b.nearest(), "example " + i);
        assertEquals(a.distance(), b.distance(), 1e-5, "example " + i);
        assertEquals(a.known(), b.known(), "example " + i);
      }
    }
  }

  @Test
  void embeddingMethodsKeepWorkingAfterTheModelIsClosed() {
    SiameseModel m = model(4, Distances.EUCLIDEAN);
    OneShotClassifier<String> c = m.oneShotClassifier(1.0);
    c.enrolEmbedding("a", new float[] {0, 0, 0, 0});
    m.close();
    c.enrolEmbedding("b", new float[] {3, 0, 0, 0});
    assertEquals("b", c.classifyEmbedding(new float[] {2.5f, 0, 0, 0}).label().orElseThrow());
    assertFalse(c.classifyEmbedding(new float[] {1.5f, 0, 0, 0}).known());
    assertMessage(IllegalStateException.class, () -> c.classify(new float[INPUT]), "closed");
  }

  @Test
  void badEmbeddingsAreRejectedNamingTheProblemAndNothingIsEnrolled() {
    try (SiameseModel m = model(8, Distances.EUCLIDEAN)) {
      OneShotClassifier<String> c = m.oneShotClassifier(1.0);
      assertEquals(8, c.embeddingSize());
      assertMessage(IllegalStateException.class, () -> c.classifyEmbedding(new float[8]), "no example is enrolled");
      assertMessage(IllegalArgumentException.class, () -> c.enrolEmbedding("a", new float[3]), "embedding has 3 floats; the gallery's embeddings have 8");
      float[] nan = new float[8];
      nan[5] = Float.NaN;
      assertMessage(IllegalArgumentException.class, () -> c.enrolEmbedding("a", nan), "embedding holds NaN at position 5");
      float[] inf = new float[8];
      inf[2] = Float.NEGATIVE_INFINITY;
      assertMessage(IllegalArgumentException.class, () -> c.enrolEmbedding("a", inf), "holds -Infinity at position 2");
      assertMessage(IllegalArgumentException.class, () -> c.enrolEmbeddings("a", new float[][] {new float[8], nan}), "embedding 1 holds NaN at position 5");
      assertMessage(NullPointerException.class, () -> c.enrolEmbedding(null, new float[8]), "label");
      assertMessage(NullPointerException.class, () -> c.enrolEmbedding("a", null), "embedding is null");
      assertEquals(0, c.size());
      assertEquals(Set.of(), c.classes());

      c.enrolEmbedding("a", new float[8]);
      assertMessage(IllegalArgumentException.class, () -> c.classifyEmbedding(new float[9]), "embedding has 9 floats");
      assertMessage(IllegalArgumentException.class, () -> c.classifyEmbedding(nan), "embedding holds NaN at position 5");
      assertThrows(NullPointerException.class, () -> c.classifyEmbedding(null));
      assertEquals(1, c.size());
    }
  }

  @Test
  void concurrentEnrolmentAndClassificationSeeWholeEnrolments() throws Exception {
    SplittableRandom random = new SplittableRandom(8);
    float[][] rows = gaussian(random, 4001, 32);
    try (SiameseModel m = model(32, Distances.EUCLIDEAN)) {
      OneShotClassifier<Integer> c = m.oneShotClassifier(Double.POSITIVE_INFINITY);
      c.enrolEmbedding(0, rows[0]);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> jobs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          int first = 1 + t * 2000;
          jobs.add(pool.submit(() -> {
            // Rows i and i + 1, both of label i (odd).
            for (int i = first; i < first + 2000; i += 2) {
              c.enrolEmbeddings(i, new float[][] {rows[i], rows[i + 1]});
            }
          }));
        }
        for (int t = 0; t < 2; t++) {
          jobs.add(pool.submit(() -> {
            for (int i = 0; i < 300; i++) {
              // Row 0 is always there, so its own query always finds it at distance 0.
              OneShotPrediction<Integer> p = c.classifyEmbedding(rows[0]);
              assertEquals(0, p.nearest());
              assertEquals(0.0, p.distance());
              assertEquals(1, c.size() % 2, "enrolments of two rows are seen whole");
            }
          }));
        }
        for (Future<?> f : jobs) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(4001, c.size());
      for (int i = 1; i < rows.length; i += 97) {
        int expectedLabel = i % 2 == 1 ? i : i - 1;
        assertEquals(expectedLabel, c.classifyEmbedding(rows[i]).nearest(), "row " + i);
      }
    }
  }
}
