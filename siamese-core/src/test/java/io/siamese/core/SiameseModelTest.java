package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.BatchAugmentation;
import io.siamese.core.train.BatchResult;
import io.siamese.core.train.EpochResult;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingDivergedException;
import io.siamese.core.train.TrainingHistory;
import io.siamese.core.train.TrainingListener;
import io.siamese.core.train.TwinBatching;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The model's contract apart from learning, on a small untrained model shared by the tests. */
class SiameseModelTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  private static LabeledDataset glyphs;
  private static SiameseModel model;

  @BeforeAll
  static void setUp() {
    glyphs = SyntheticGlyphs.builder().classes(10).examplesPerClass(4).imageSize(28).seed(5).build().generate();
    model = newModel(11);
  }

  @AfterAll
  static void tearDown() {
    model.close();
  }

  private static SiameseModel newModel(long seed) {
    return SiameseModel.builder()
        .encoder(EncoderSpec.conv4(SHAPE, 8))
        .loss(ContrastiveLoss.similarIsOne())
        .seed(seed)
        .build();
  }

  @Test
  void embeddingsHaveTheEncodersSizeAndAreFinite() {
    float[][] e = model.embed(glyphs);
    assertEquals(glyphs.size(), e.length);
    for (float[] row : e) {
      assertEquals(8, row.length);
      for (float v : row) {
        assertTrue(Float.isFinite(v));
      }
    }
  }

  @Test
  void anExamplesEmbeddingDoesNotDependOnItsBatchOrChunk() {
    // 300 examples cross the 256-example chunk boundary of embed().
    float[][] batch = new float[300][];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = glyphs.features(i % glyphs.size());
    }
    float[][] together = model.embed(batch);
    for (int i : new int[] {0, 17, 255, 256, 299}) {
      assertArrayEquals(model.embed(batch[i]), together[i], 1e-5f, "example " + i);
    }
    // Up to 256 rows go straight into the input tensor; more are copied into one array first.
    float[][] direct = model.embed(Arrays.copyOf(batch, 40));
    for (int i = 0; i < direct.length; i++) {
      assertArrayEquals(together[i], direct[i], 1e-5f, "row " + i + " of a 40-row batch");
    }
  }

  @Test
  void twinsShareWeightsSoDistanceIsSymmetricAndZeroOnItself() {
    float[] a = glyphs.features(0);
    float[] b = glyphs.features(7);
    assertEquals(model.distance(a, b), model.distance(b, a), 1e-6);
    assertEquals(0.0, model.distance(a, a), 1e-6);
    assertEquals(1.0, model.similarity(a, a), 1e-6);
    double d = model.distance(a, b);
    assertTrue(d > 0, "distinct glyphs should not embed identically");
    assertTrue(model.isSame(a, b, d + 1e-3));
    assertFalse(model.isSame(a, b, d / 2));
  }

  @Test
  void distanceIsTheLossDistanceOfTheEmbeddings() {
    float[] a = glyphs.features(1);
    float[] b = glyphs.features(30);
    double expected = 0;
    float[] ea = model.embed(a);
    float[] eb = model.embed(b);
    for (int k = 0; k < ea.length; k++) {
      expected += (ea[k] - eb[k]) * (double) (ea[k] - eb[k]);
    }
    assertEquals(Math.sqrt(expected), model.distance(a, b), 1e-5);
  }

  @Test
  void eightThreadsEmbeddingAndScoringAtOnceGetTheSingleThreadedAnswers() throws Exception {
    float[][] expected = model.embed(glyphs);
    double expectedDistance = model.distance(glyphs.features(0), glyphs.features(1));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<Integer>> jobs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        jobs.add(
            pool.submit(
                () -> {
                  int checked = 0;
                  for (int call = 0; call < 40; call++) {
                    int i = (thread * 7 + call) % glyphs.size();
                    assertArrayEquals(expected[i], model.embed(glyphs.features(i)), 1e-6f);
                    assertEquals(expectedDistance, model.distance(glyphs.features(0), glyphs.features(1)), 1e-6);
                    checked++;
                  }
                  return checked;
                }));
      }
      for (java.util.concurrent.Future<Integer> job : jobs) {
        assertEquals(40, job.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void sameSeedGivesSameWeightsAndAnotherSeedDoesNot() {
    float[] x = glyphs.features(3);
    try (SiameseModel twin = newModel(11);
        SiameseModel other = newModel(12)) {
      assertArrayEquals(model.embed(x), twin.embed(x), 0f);
      assertFalse(Arrays.equals(model.embed(x), other.embed(x)));
    }
  }

  @Test
  void fitReportsEveryBatchAndEpochToListeners() {
    List<BatchResult> batches = new ArrayList<>();
    List<EpochResult> epochs = new ArrayList<>();
    TrainingListener recorder =
        new TrainingListener() {
          @Override
          public void onBatchEnd(BatchResult batch) {
            batches.add(batch);
          }

          @Override
          public void onEpochEnd(EpochResult epoch) {
            epochs.add(epoch);
          }
        };
    try (SiameseModel m = newModel(3)) {
      TrainingHistory history =
          m.fit(
              BalancedPairSampler.of(glyphs, 1),
              TrainingConfig.builder()
                  .epochs(2)
                  .stepsPerEpoch(3)
                  .batchSize(4)
                  .validation(BalancedPairSampler.of(glyphs, 2), 20)
                  .build(),
              recorder);
      assertEquals(6, batches.size());
      assertEquals(2, epochs.size());
      assertEquals(epochs, history.epochs());
      assertEquals(3, batches.get(5).step());
      assertEquals(2, batches.get(5).epoch());
      double mean = (batches.get(3).loss() + batches.get(4).loss() + batches.get(5).loss()) / 3;
      assertEquals(mean, epochs.get(1).meanLoss(), 1e-9);
      assertTrue(epochs.get(1).validation().isPresent());
      assertEquals(20, epochs.get(1).validation().get().size());
    }
  }

  @Test
  void augmentationSeesBothTwinsOfEveryTrainingBatchBeforeTheStep() {
    List<Integer> counts = new ArrayList<>();
    BatchAugmentation blank =
        (batch, count, shape, random) -> {
          counts.add(count);
          assertEquals(SHAPE, shape);
          Arrays.fill(batch, 0, count * shape.size(), 0f);
        };
    List<Double> losses = new ArrayList<>();
    try (SiameseModel m = newModel(6)) {
      m.fit(
          BalancedPairSampler.of(glyphs, 1),
          TrainingConfig.builder().epochs(1).stepsPerEpoch(3).batchSize(4).augmentation(blank).build(),
          new TrainingListener() {
            @Override
            public void onBatchEnd(BatchResult batch) {
              losses.add(batch.loss());
            }
          });
    }
    assertEquals(List.of(8, 8, 8), counts);
    // Blank inputs embed identically: similar pairs cost 0, the 2 dissimilar ones margin^2 = 1.
    for (double loss : losses) {
      assertEquals(0.5, loss, 1e-6);
    }
  }

  @Test
  void separateAndStackedTwinsTrainAlike() {
    float[] x = glyphs.features(2);
    float[][] after = new float[2][];
    List<List<Double>> losses = List.of(new ArrayList<>(), new ArrayList<>());
    TwinBatching[] modes = {TwinBatching.STACKED, TwinBatching.SEPARATE};
    for (int k = 0; k < 2; k++) {
      List<Double> sink = losses.get(k);
      try (SiameseModel m =
          SiameseModel.builder()
              .encoder(EncoderSpec.conv4(SHAPE, 8))
              .loss(ContrastiveLoss.similarIsOne())
              .seed(13)
              .twinBatching(modes[k])
              .build()) {
        m.fit(
            BalancedPairSampler.of(glyphs, 1),
            TrainingConfig.builder().epochs(1).stepsPerEpoch(3).batchSize(4).build(),
            new TrainingListener() {
              @Override
              public void onBatchEnd(BatchResult batch) {
                sink.add(batch.loss());
              }
            });
        after[k] = m.embed(x);
      }
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(losses.get(0).get(i), losses.get(1).get(i), 1e-5);
    }
    assertArrayEquals(after[0], after[1], 1e-4f);
  }

  @Test
  void trainingChangesTheWeights() {
    float[] x = glyphs.features(0);
    try (SiameseModel m = newModel(4)) {
      float[] before = m.embed(x);
      m.fit(BalancedPairSampler.of(glyphs, 1), TrainingConfig.builder().epochs(1).stepsPerEpoch(2).batchSize(4).build());
      assertFalse(Arrays.equals(before, m.embed(x)));
    }
  }

  @Test
  void aLossThatTurnsInfiniteStopsTrainingWithAClearError() {
    // Finite inputs whose embeddings are so far apart that the squared distance overflows float32.
    float[] huge = new float[glyphs.size() * SHAPE.size()];
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    for (int i = 0; i < huge.length; i++) {
      huge[i] = (float) (1e30 * random.nextDouble());
    }
    LabeledDataset extreme = LabeledDataset.of(huge, glyphs.labels(), SHAPE);
    try (SiameseModel m = newModel(4)) {
      TrainingDivergedException e =
          assertThrows(
              TrainingDivergedException.class,
              () ->
                  m.fit(
                      BalancedPairSampler.of(extreme, 1),
                      TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(4).build()));
      assertTrue(e.getMessage().contains("epoch 1, step 1"), e.getMessage());
    }
  }

  @Test
  void badInputsAreRejectedBeforeTheyReachTensorFlow() {
    assertMessage(IllegalArgumentException.class, () -> model.embed(new float[0][]), "at least one");
    assertMessage(IllegalArgumentException.class, () -> model.embed(new float[783]), "783 floats");
    float[] nan = glyphs.features(0);
    nan[5] = Float.NaN;
    assertMessage(IllegalArgumentException.class, () -> model.embed(nan), "NaN at position 5");
    assertMessage(NullPointerException.class, () -> model.embed((float[][]) null), "examples");
    assertMessage(
        NullPointerException.class, () -> model.distance(null, glyphs.features(0)), "first example");
    assertMessage(
        IllegalArgumentException.class,
        () -> model.isSame(glyphs.features(0), glyphs.features(1), Double.NaN),
        "threshold");
    LabeledDataset small =
        SyntheticGlyphs.builder().classes(3).examplesPerClass(2).imageSize(20).seed(1).build().generate();
    assertMessage(
        IllegalArgumentException.class,
        () ->
            model.fit(
                BalancedPairSampler.of(small, 1),
                TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(2).build()),
        "20x20x1, but the encoder expects 28x28x1");
    assertMessage(IllegalArgumentException.class, () -> model.embed(small), "20x20x1");
    assertMessage(
        IllegalArgumentException.class,
        () -> model.evaluatePairs(BalancedPairSampler.of(glyphs, 1), 1),
        "at least 2 pairs");
  }

  @Test
  void everyCallAfterCloseFailsClearly() {
    SiameseModel m = newModel(9);
    m.close();
    m.close();
    assertTrue(m.isClosed());
    float[] x = glyphs.features(0);
    assertMessage(IllegalStateException.class, () -> m.embed(x), "closed");
    assertMessage(IllegalStateException.class, () -> m.distance(x, x), "closed");
    assertMessage(IllegalStateException.class, () -> m.embed(glyphs), "closed");
    assertMessage(
        IllegalStateException.class,
        () -> m.fit(BalancedPairSampler.of(glyphs, 1), TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(2).build()),
        "closed");
    assertMessage(IllegalStateException.class, () -> m.evaluatePairs(BalancedPairSampler.of(glyphs, 1), 4), "closed");
  }

  @Test
  void builderChecksItsSettings() {
    assertMessage(IllegalStateException.class, () -> SiameseModel.builder().loss(ContrastiveLoss.similarIsOne()).build(), "encoder must be set");
    assertMessage(IllegalStateException.class, () -> SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4)).build(), "loss must be set");
    assertMessage(IllegalStateException.class, () -> SiameseModel.builder().seed(1).seed(2), "already set to 1");
    assertMessage(IllegalArgumentException.class, () -> OptimizerSpec.adam(0), "got 0.0");
    assertMessage(IllegalArgumentException.class, () -> OptimizerSpec.sgdWithMomentum(0.1, 1.0), "momentum");
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.builder().threads(-1, 1), "got -1");
    assertNotEquals(OptimizerSpec.adam(1e-3), OptimizerSpec.sgd(1e-3));
  }

  @Test
  void aLossWithAnOpThatHasNoGradientFailsAtBuildNamingTheOp() {
    io.siamese.losses.PairLoss noGradient =
        new io.siamese.losses.PairLoss() {
          @Override
          public io.siamese.losses.PairLabelConvention labelConvention() {
            return io.siamese.losses.PairLabelConvention.SIMILAR_IS_ONE;
          }

          @Override
          public io.siamese.losses.Distance distance() {
            return io.siamese.losses.Distances.EUCLIDEAN;
          }

          @Override
          public <T extends org.tensorflow.types.family.TNumber> org.tensorflow.Operand<T> call(
              org.tensorflow.op.Ops tf, org.tensorflow.Operand<T> l, org.tensorflow.Operand<T> r, org.tensorflow.Operand<T> y) {
            org.tensorflow.Operand<T> d = tf.math.sub(l, r);
            return tf.reduceSum(tf.math.mul(d, tf.onesLike(d)), tf.constant(new int[] {0, 1}));
          }

          @Override
          public String toString() {
            return "OnesLikeLoss";
          }
        };
    assertMessage(
        IllegalStateException.class,
        () -> SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4)).loss(noGradient).build(),
        "cannot train with OnesLikeLoss: it uses the op OnesLike");
  }

  @Test
  void everyOptimizerTrains() {
    for (OptimizerSpec opt :
        List.of(OptimizerSpec.sgd(0.01), OptimizerSpec.sgdWithMomentum(0.01, 0.9), OptimizerSpec.rmsProp(1e-3))) {
      try (SiameseModel m =
          SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4)).loss(ContrastiveLoss.similarIsOne()).optimizer(opt).threads(1, 1).build()) {
        float[] before = m.embed(glyphs.features(0));
        m.fit(BalancedPairSampler.of(glyphs, 1), TrainingConfig.builder().epochs(1).stepsPerEpoch(2).batchSize(4).build());
        assertFalse(Arrays.equals(before, m.embed(glyphs.features(0))), opt.toString());
      }
    }
  }

}
