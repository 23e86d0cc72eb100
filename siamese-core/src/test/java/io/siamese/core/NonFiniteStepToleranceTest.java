package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.EpochResult;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingDivergedException;
import io.siamese.core.train.TrainingHistory;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Steps whose loss is not finite are skipped, up to the tolerated number in a row ({@link
 * TrainingConfig#nonFiniteStepsTolerated()}, none by default in either precision).
 * Non-finite steps are made with finite inputs so large that the squared distance overflows.
 */
class NonFiniteStepToleranceTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  private static LabeledDataset glyphs;
  /** Every step on it overflows. */
  private static LabeledDataset allHuge;
  /** Half the classes are huge: a step overflows when its batch holds one of them. */
  private static LabeledDataset halfHuge;

  @BeforeAll
  static void data() {
    glyphs = SyntheticGlyphs.builder().classes(8).examplesPerClass(4).imageSize(28).seed(5).build().generate();
    float[] all = new float[glyphs.size() * SHAPE.size()];
    float[] half = new float[all.length];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < glyphs.size(); i++) {
      float[] x = glyphs.features(i);
      boolean hugeClass = glyphs.label(i) % 2 == 0;
      for (int j = 0; j < x.length; j++) {
        float h = (float) (1e30 * random.nextDouble());
        all[i * x.length + j] = h;
        half[i * x.length + j] = hugeClass ? h : x[j];
      }
    }
    allHuge = LabeledDataset.of(all, glyphs.labels(), SHAPE);
    halfHuge = LabeledDataset.of(half, glyphs.labels(), SHAPE);
  }

  private static SiameseModel model(Precision precision) {
    return SiameseModel.builder()
        .encoder(EncoderSpec.conv4(SHAPE, 4))
        .loss(ContrastiveLoss.similarIsOne())
        .precision(precision)
        .seed(3)
        .build();
  }

  private static TrainingConfig.Builder config(int steps) {
    return TrainingConfig.builder().epochs(2).stepsPerEpoch(steps).batchSize(2);
  }

  @Test
  void float32ThrowsAtTheFirstNonFiniteStep() {
    try (SiameseModel m = model(Precision.FP32)) {
      TrainingDivergedException e =
          assertThrows(TrainingDivergedException.class, () -> m.fit(BalancedPairSampler.of(allHuge, 1), config(20).build()));
      assertTrue(e.getMessage().contains("epoch 1, step 1 "), e.getMessage());
      assertEquals(0, m.trainingSteps());
    }
  }

  @Test
  void aToleranceSkipsThatManyInARowThenThrowsSayingSo() {
    try (SiameseModel m = model(Precision.MIXED)) {
      TrainingDivergedException e =
          assertThrows(
              TrainingDivergedException.class,
              () -> m.fit(BalancedPairSampler.of(allHuge, 1), config(20).nonFiniteStepsTolerated(10).build()));
      assertTrue(e.getMessage().contains("epoch 1, step 11 ") && e.getMessage().contains("after 10 such steps"), e.getMessage());
      assertEquals(0, m.trainingSteps());
    }
  }

  @Test
  void theConfigurationOverridesTheDefaultAndCountsRunAcrossEpochs() {
    try (SiameseModel m = model(Precision.FP32)) {
      // 3 tolerated, 2 steps per epoch: the 4th non-finite step in a row is epoch 2's second.
      TrainingDivergedException e =
          assertThrows(
              TrainingDivergedException.class,
              () -> m.fit(BalancedPairSampler.of(allHuge, 1), config(2).nonFiniteStepsTolerated(3).build()));
      assertTrue(e.getMessage().contains("epoch 2, step 2 "), e.getMessage());
    }
    try (SiameseModel m = model(Precision.MIXED)) {
      TrainingDivergedException e =
          assertThrows(TrainingDivergedException.class, () -> m.fit(BalancedPairSampler.of(allHuge, 1), config(20).build()));
      assertTrue(e.getMessage().contains("epoch 1, step 1 "), "MIXED also stops at the first by default: " + e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().nonFiniteStepsTolerated(-1));
  }

  @Test
  void skippedStepsChangeNothingAndAreCounted() {
    try (SiameseModel m = model(Precision.FP32)) {
      TrainingHistory h = m.fit(BalancedPairSampler.of(halfHuge, 1), config(30).nonFiniteStepsTolerated(1000).build());
      int skipped = h.epochs().stream().mapToInt(EpochResult::skippedSteps).sum();
      // Each of 2 pairs draws from 8 classes, half of them huge: most steps but not all overflow.
      assertTrue(skipped > 0 && skipped < 60, "skipped " + skipped + " of 60");
      assertEquals(60 - skipped, m.trainingSteps(), "only applied steps count");
      for (EpochResult epoch : h.epochs()) {
        assertTrue(epoch.skippedSteps() == 30 || Double.isFinite(epoch.meanLoss()), "epoch " + epoch);
      }
      for (float[] row : m.embed(glyphs)) {
        for (float v : row) {
          assertTrue(Float.isFinite(v), "weights stayed finite");
        }
      }
    }
  }

  @Test
  void epochResultRefusesANegativeCount() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new EpochResult(1, 1, 0.5, java.util.Optional.empty(), java.util.Optional.empty(), 1, -1));
  }
}
