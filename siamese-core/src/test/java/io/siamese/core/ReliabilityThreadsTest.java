package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.gallery.OneShotClassifier;
import io.siamese.core.gallery.OneShotPrediction;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, threads: 8 threads embedding and scoring at once through one model, every result
 * identical to the single-threaded result for the same input, and no exception.
 *
 * <p>Each thread cycles through five calls: {@code embed(float[])}, {@code distance}, {@code
 * embed(float[][])} of four examples, {@code OneShotClassifier.classify} against a shared
 * classifier, and (every 100th call) {@code evaluatePairs} over a freshly seeded sampler. Results
 * are compared with answers computed on one thread beforehand: bitwise, with a tolerance of 1e-6
 * allowed (and counted) in case TensorFlow's kernels ever split work by load.
 *
 * <p>The issue asks for 10,000 calls per thread; the default here is {@value #DEFAULT_CALLS}
 * (about 20 s on 2 busy cores). {@code -Dsiamese.threads.calls=10000} runs the full size.
 */
class ReliabilityThreadsTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  private static final int THREADS = 8;
  private static final int DEFAULT_CALLS = 7_500;
  private static final double TOLERANCE = 1e-6;

  @Test
  void eightThreadsEmbeddingAndScoringAtOnceGetTheSingleThreadedAnswersBitForBit() throws Exception {
    int calls = Integer.getInteger("siamese.threads.calls", DEFAULT_CALLS);
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(10).examplesPerClass(4).imageSize(28).seed(9).build().generate();
    int n = glyphs.size();
    float[][] x = new float[n][];
    for (int i = 0; i < n; i++) {
      x[i] = glyphs.features(i);
    }
    try (SiameseModel model =
        SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 8)).loss(ContrastiveLoss.similarIsOne()).seed(3).build()) {
      model.fit(BalancedPairSampler.of(glyphs, 1), TrainingConfig.builder().epochs(1).stepsPerEpoch(5).batchSize(8).build());

      // The single-threaded answers.
      float[][] single = new float[n][];
      double[] distance = new double[n];
      float[][][] batch = new float[n][][];
      for (int i = 0; i < n; i++) {
        single[i] = model.embed(x[i]);
        distance[i] = model.distance(x[i], x[(i + 1) % n]);
        batch[i] = model.embed(batchOf(x, i));
      }
      OneShotClassifier<Integer> classifier = model.oneShotClassifier(Double.POSITIVE_INFINITY);
      for (int c : glyphs.classes()) {
        classifier.enrol(c, glyphs.features(glyphs.indicesOfClass(c)[0]));
      }
      OneShotPrediction<?>[] prediction = new OneShotPrediction<?>[n];
      for (int i = 0; i < n; i++) {
        prediction[i] = classifier.classify(x[i]);
      }
      PairMetrics[] metrics = new PairMetrics[THREADS];
      for (int t = 0; t < THREADS; t++) {
        metrics[t] = model.evaluatePairs(BalancedPairSampler.of(glyphs, 100 + t), 40);
      }

      AtomicLong exact = new AtomicLong();
      AtomicLong nearlyExact = new AtomicLong();
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      long began;
      try {
        List<Future<Integer>> jobs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          jobs.add(pool.submit(() -> {
            start.await();
            for (int call = 0; call < calls; call++) {
              int i = (thread * 11 + call) % n;
              String where = "thread " + thread + ", call " + call + ", example " + i;
              if (call % 100 == 99) {
                PairMetrics m = model.evaluatePairs(BalancedPairSampler.of(glyphs, 100 + thread), 40);
                assertEquals(metrics[thread].rocAuc(), m.rocAuc(), 0, where);
                assertEquals(metrics[thread].bestThreshold(), m.bestThreshold(), 0, where);
                continue;
              }
              switch (call % 4) {
                case 0 -> compare(single[i], model.embed(x[i]), exact, nearlyExact, where);
                case 1 -> compare(distance[i], model.distance(x[i], x[(i + 1) % n]), exact, nearlyExact, where);
                case 2 -> {
                  float[][] e = model.embed(batchOf(x, i));
                  for (int k = 0; k < e.length; k++) {
                    compare(batch[i][k], e[k], exact, nearlyExact, where + ", row " + k);
                  }
                }
                default -> {
                  OneShotPrediction<Integer> p = classifier.classify(x[i]);
                  assertEquals(prediction[i].nearest(), p.nearest(), where);
                  compare(prediction[i].distance(), p.distance(), exact, nearlyExact, where);
                }
              }
            }
            return calls;
          }));
        }
        began = System.nanoTime();
        start.countDown();
        for (Future<Integer> job : jobs) {
          assertEquals(calls, job.get(10, TimeUnit.MINUTES));
        }
      } finally {
        pool.shutdownNow();
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      System.out.printf(Locale.ROOT,
          "threads: %d threads x %,d calls through one model in %.1f s (%,.0f calls/s): %,d results bit-identical to"
              + " one thread, %,d within %.0e%n",
          THREADS, calls, seconds, THREADS * calls / seconds, exact.get(), nearlyExact.get(), TOLERANCE);
      assertTrue(exact.get() > 0);
    }
  }

  /** Four consecutive examples from {@code i}, wrapping around. */
  private static float[][] batchOf(float[][] x, int i) {
    float[][] b = new float[4][];
    for (int k = 0; k < 4; k++) {
      b[k] = x[(i + k) % x.length];
    }
    return b;
  }

  private static void compare(float[] expected, float[] actual, AtomicLong exact, AtomicLong near, String where) {
    if (Arrays.equals(expected, actual)) {
      exact.incrementAndGet();
      return;
    }
    assertEquals(expected.length, actual.length, where);
    for (int k = 0; k < expected.length; k++) {
      assertEquals(expected[k], actual[k], TOLERANCE, where + ", element " + k);
    }
    near.incrementAndGet();
  }

  private static void compare(double expected, double actual, AtomicLong exact, AtomicLong near, String where) {
    if (Double.compare(expected, actual) == 0) {
      exact.incrementAndGet();
      return;
    }
    assertEquals(expected, actual, TOLERANCE, where);
    near.incrementAndGet();
  }
}
