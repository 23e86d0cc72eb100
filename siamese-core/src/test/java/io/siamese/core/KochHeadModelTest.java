package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.DatasetSplit;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.Splits;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.PairLabelConvention;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The learned pair head of Koch et al. inside the model: it learns with the encoder, its weights
 * are saved and loaded with the model, and every comparison uses its probability.
 */
class KochHeadModelTest {
  private static DatasetSplit split;
  private static SiameseModel trained;
  private static KochHead initialHead;
  private static PairMetrics pairsBefore;
  private static PairMetrics pairsAfter;
  private static OneShotResult oneShotAfter;

  @TempDir static Path tmp;

  @BeforeAll
  static void trainOnce() {
    LabeledDataset glyphs =
        SyntheticGlyphs.builder().classes(60).examplesPerClass(12).imageSize(28).seed(31).build().generate();
    split = Splits.byClass(glyphs, 20, 31);
    // The untrained encoder already separates glyphs (ROC AUC about 0.80: a ReLU network without
    // biases ranks the same at any weight scale); at 1e-3 the head can peak within 80 steps and
    // then overfit the 40 training classes, so the test trains at 3e-4 (measured: 0.80 -> 0.91).
    trained = SiameseModel.builder()
        .encoder(EncoderSpec.conv4(glyphs.shape(), 32))
        .loss(KochPairHeadLoss.similarIsOne())
        .optimizer(OptimizerSpec.adam(3e-4))
        .seed(31)
        .build();
    initialHead = trained.kochHead().orElseThrow();
    pairsBefore = trained.evaluatePairs(BalancedPairSampler.of(split.test(), 3), 400);
    trained.fit(
        BalancedPairSampler.of(split.train(), 31),
        TrainingConfig.builder().epochs(4).stepsPerEpoch(60).batchSize(32).build());
    pairsAfter = trained.evaluatePairs(BalancedPairSampler.of(split.test(), 3), 400);
    oneShotAfter =
        trained.evaluateOneShot(EpisodeSampler.builder(split.test()).ways(5).shots(1).queriesPerClass(1).seed(8).build(), 200);
    System.out.println(
        "KochHeadModelTest before: " + pairsBefore + "; after: " + pairsAfter + ", " + oneShotAfter + ", "
            + trained.kochHead().orElseThrow());
  }

  @AfterAll
  static void close() {
    trained.close();
  }

  private static SiameseModel newModel(EncoderSpec encoder, long seed) {
    return SiameseModel.builder()
        .encoder(encoder)
        .loss(KochPairHeadLoss.similarIsOne())
        .optimizer(OptimizerSpec.adam(1e-3))
        .seed(seed)
        .build();
  }

  @Test
  void aKochHeadModelLearnsToTellUnseenGlyphClassesApart() {
    // Chance is 0.5 ROC AUC and 20% 5-way; the margins leave room for seed-to-seed variation.
    assertTrue(pairsAfter.rocAuc() > 0.8, "after: " + pairsAfter);
    assertTrue(pairsAfter.rocAuc() > pairsBefore.rocAuc() + 0.05, "before " + pairsBefore + ", after " + pairsAfter);
    assertTrue(oneShotAfter.accuracy() > 0.5, oneShotAfter.toString());
  }

  @Test
  void theHeadStartsAsAMinusMeanAbsoluteDifferenceAndLearns() {
    int e = trained.embeddingSize();
    float[] start = new float[e];
    java.util.Arrays.fill(start, -1f / e);
    assertArrayEquals(start, initialHead.alpha(), 0f);
    assertEquals(0f, initialHead.bias(), 0f);
    KochHead now = trained.kochHead().orElseThrow();
    assertNotEquals(initialHead, now);
    assertNotEquals(0f, now.bias());
    // A head weight learns wherever its embedding unit ever fires. A ReLU unit that dies before
    // it ever fires (chance, which the last bits of the arithmetic decide) gets no gradient: so
    // every weight of a unit alive on the test set must have moved, and most weights overall.
    float[][] test = new float[split.test().size()][];
    for (int i = 0; i < test.length; i++) {
      test[i] = split.test().features(i);
    }
    float[][] embedded = trained.embed(test);
    int changed = 0;
    for (int j = 0; j < e; j++) {
      boolean alive = false;
      for (float[] row : embedded) {
        alive |= row[j] != 0;
      }
      if (now.alpha()[j] != start[j]) {
        changed++;
      } else {
        assertTrue(!alive, "alpha[" + j + "] did not train, though its unit fires on the test set");
      }
    }
    assertTrue(changed >= e / 2, "most weights of the head train: " + changed + " of " + e);
  }

  @Test
  void similarityIsTheHeadsProbabilityWorkedFromTheEmbeddingsAndTheSavedWeights() throws IOException {
    Path dir = tmp.resolve("formula");
    trained.save(dir);
    Map<String, WeightsFile.Entry> saved = new java.util.HashMap<>();
    for (WeightsFile.Entry w : LearningRateScheduleTrainingTest.weights(dir)) {
      saved.put(w.name(), w);
    }
    float[] alpha = saved.get("head_alpha").values();
    float bias = saved.get("head_bias").values()[0];
    assertArrayEquals(new long[] {trained.embeddingSize()}, saved.get("head_alpha").shape());
    assertArrayEquals(new long[0], saved.get("head_bias").shape());
    LabeledDataset test = split.test();
    for (int[] pair : new int[][] {{0, 1}, {0, 40}, {5, 5}, {17, 99}, {3, 150}}) {
      float[] a = test.features(pair[0]);
      float[] b = test.features(pair[1]);
      // Embedded together, as similarity does: a convolution's last bits may depend on the batch.
      float[][] e = trained.embed(new float[][] {a, b});
      float[] ea = e[0];
      float[] eb = e[1];
      double z = bias;
      for (int j = 0; j < alpha.length; j++) {
        z += alpha[j] * Math.abs((double) ea[j] - eb[j]);
      }
      double p = 1 / (1 + Math.exp(-z));
      double similarity = trained.similarity(a, b);
      assertTrue(similarity >= 0 && similarity <= 1, "similarity " + similarity);
      assertEquals(p, similarity, 1e-12, "pair " + pair[0] + ", " + pair[1]);
      // The distance of every comparison is -ln p, so thresholds on it are thresholds on p.
      assertEquals(-Math.log(p), trained.distance(a, b), 1e-9);
      assertEquals(-Math.log(p), trained.embeddingDistance().between(ea, eb), 1e-9);
      double t = -Math.log(p);
      assertTrue(trained.isSame(a, b, t + 1e-9));
      assertFalse(trained.isSame(a, b, t * 0.999 - 1e-9));
    }
  }

  @Test
  void theHeadsWeightsAreSavedAndLoadedBitExactly() {
    Path dir = tmp.resolve("roundtrip");
    trained.save(dir);
    float[] a = split.test().features(2);
    float[] b = split.test().features(70);
    try (SiameseModel loaded = SiameseModel.load(dir)) {
      assertEquals(trained.kochHead(), loaded.kochHead());
      assertEquals(trained.loss(), loaded.loss());
      assertEquals(trained.trainingSteps(), loaded.trainingSteps());
      assertEquals(trained.similarity(a, b), loaded.similarity(a, b), 0);
      assertTrue(loaded.loss() instanceof io.siamese.losses.KochPairHeadLoss);
    }
  }

  @Test
  void trainingResumesExactlyAfterALoad() {
    LabeledDataset small = SyntheticGlyphs.builder().classes(6).examplesPerClass(4).imageSize(28).seed(4).build().generate();
    EncoderSpec encoder = EncoderSpec.builder(small.shape()).conv2d(4, 3).relu().maxPool(2).flatten().dense(8).sigmoid().build();
    Path dir = tmp.resolve("resume");
    TrainingConfig two = TrainingConfig.builder().epochs(1).stepsPerEpoch(2).batchSize(4).build();
    try (SiameseModel original = newModel(encoder, 3)) {
      original.fit(BalancedPairSampler.of(small, 1), two);
      original.save(dir);
      try (SiameseModel resumed = SiameseModel.load(dir)) {
        original.fit(BalancedPairSampler.of(small, 9), two);
        resumed.fit(BalancedPairSampler.of(small, 9), two);
        assertEquals(original.kochHead(), resumed.kochHead());
        assertArrayEquals(original.embed(small.features(5)), resumed.embed(small.features(5)), 0f);
      }
    }
  }

  @Test
  void theExportScoresPairsOfEmbeddingsWithTheHead() {
    Path export = tmp.resolve("export");
    trained.exportSavedModel(export);
    float[] a = split.test().features(4);
    float[] b = split.test().features(9);
    float[] ea = trained.embed(a);
    float[] eb = trained.embed(b);
    int e = ea.length;
    try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), SavedModelBundle.DEFAULT_TAG);
        TFloat32 left = TFloat32.tensorOf(Shape.of(1, e), DataBuffers.of(ea, true, false));
        TFloat32 right = TFloat32.tensorOf(Shape.of(1, e), DataBuffers.of(eb, true, false));
        Result r = bundle.function("score").call(Map.<String, Tensor>of("left", left, "right", right))) {
      float probability = ((TFloat32) r.get("probability").orElseThrow()).getFloat(0);
      assertEquals(trained.similarity(a, b), probability, 1e-5);
    }
    try (SavedModelEmbedder embedder = SavedModelEmbedder.open(export)) {
      assertArrayEquals(ea, embedder.embed(new float[][] {a})[0], 1e-5f);
    }
  }

  @Test
  void aKochModelRefusesAnotherLossAtLoadAndInTheBuilder() {
    Path dir = tmp.resolve("refuse");
    trained.save(dir);
    assertMessage(
        IllegalArgumentException.class,
        () -> SiameseModel.load(dir, ContrastiveLoss.similarIsOne()),
        "was trained with the Koch pair head (KochPairHeadLoss(SIMILAR_IS_ONE, MEAN)), whose weights are part of the model; load it with load(directory)");
    assertMessage(
        IllegalStateException.class,
        () -> SiameseModel.builder().loss(ContrastiveLoss.similarIsOne()).loss(KochPairHeadLoss.similarIsOne()),
        "loss was already set to");
    assertMessage(
        IllegalStateException.class,
        () -> trained.fit(
            io.siamese.data.PkBatchSampler.builder(split.train()).classesPerBatch(2).examplesPerClass(2).seed(1).build(),
            TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(4).build()),
        "this model trains with the loss KochPairHeadLoss(SIMILAR_IS_ONE, MEAN) on pairs: use fit(PairSampler, ...)");
  }

  @Test
  void theOtherLabelConventionTrainsTheSameHead() {
    LabeledDataset small = SyntheticGlyphs.builder().classes(6).examplesPerClass(4).imageSize(28).seed(4).build().generate();
    EncoderSpec encoder = EncoderSpec.builder(small.shape()).conv2d(4, 3).relu().maxPool(2).flatten().dense(8).build();
    TrainingConfig three = TrainingConfig.builder().epochs(1).stepsPerEpoch(3).batchSize(4).build();
    List<KochHead> heads = new java.util.ArrayList<>();
    for (PairLabelConvention c : PairLabelConvention.values()) {
      try (SiameseModel m =
          SiameseModel.builder().encoder(encoder).loss(KochPairHeadLoss.builder(c).build()).seed(5).threads(1, 1).build()) {
        m.fit(BalancedPairSampler.of(small, 2), three);
        heads.add(m.kochHead().orElseThrow());
      }
    }
    assertEquals(heads.get(0), heads.get(1));
  }
}
