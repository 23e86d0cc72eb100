package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.BatchResult;
import io.siamese.core.train.EpochResult;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingHistory;
import io.siamese.core.train.TrainingListener;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairBatch;
import io.siamese.data.PairSampler;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EarlyStoppingTest {
  private static final LabeledDataset GLYPHS =
      SyntheticGlyphs.builder().classes(6).examplesPerClass(4).seed(12).build().generate();

  @TempDir Path tmp;

  /** Always the same validation pairs, so that unchanged weights give an unchanged ROC AUC. */
  private static PairSampler fixed(PairBatch batch) {
    return new PairSampler() {
      @Override
      public LabeledDataset dataset() {
        return GLYPHS;
      }

      @Override
      public PairBatch next(int pairs) {
        return batch;
      }
    };
  }

  private static SiameseModel model(OptimizerSpec optimizer) {
    return SiameseModel.builder()
        .encoder(EncoderSpec.conv4(ExampleShape.image(28, 28, 1), 4))
        .loss(ContrastiveLoss.similarIsOne())
        .optimizer(optimizer)
        .seed(8)
        .build();
  }

  @Test
  void stopsAfterPatienceEpochsWithoutImprovement() {
    PairBatch validationPairs = BalancedPairSampler.of(GLYPHS, 3).next(16);
    // A learning rate so small that the weights, and so the validation AUC, stay as they are.
    try (SiameseModel m = model(OptimizerSpec.sgd(1e-30))) {
      TrainingHistory h =
          m.fit(
              BalancedPairSampler.of(GLYPHS, 1),
              TrainingConfig.builder()
                  .epochs(10)
                  .stepsPerEpoch(1)
                  .batchSize(4)
                  .validation(fixed(validationPairs), 16)
                  .earlyStopping(2)
                  .build());
      assertEquals(3, h.epochs().size());
      assertEquals(1, h.bestEpoch());
      assertTrue(h.stoppedEarly());
    }
  }

  @Test
  void theModelEndsWithTheBestEpochsWeightsWhichTheCheckpointHolds() {
    Path checkpoint = tmp.resolve("best");
    PairBatch validationPairs = BalancedPairSampler.of(GLYPHS, 3).next(16);
    try (SiameseModel m = model(OptimizerSpec.adam(0.05))) {
      TrainingHistory h =
          m.fit(
              BalancedPairSampler.of(GLYPHS, 1),
              TrainingConfig.builder()
                  .epochs(6)
                  .stepsPerEpoch(2)
                  .batchSize(4)
                  .validation(fixed(validationPairs), 16)
                  .earlyStopping(2)
                  .checkpoint(checkpoint)
                  .build());
      double best = h.epochs().get(h.bestEpoch() - 1).validation().orElseThrow().rocAuc();
      for (EpochResult e : h.epochs()) {
        assertTrue(e.validation().orElseThrow().rocAuc() <= best);
      }
      try (SiameseModel saved = SiameseModel.load(checkpoint)) {
        for (int i = 0; i < GLYPHS.size(); i += 5) {
          assertArrayEquals(saved.embed(GLYPHS.features(i)), m.embed(GLYPHS.features(i)), 0f);
        }
      }
      assertEquals(best, m.evaluatePairs(fixed(validationPairs), 16).rocAuc(), 1e-12);
    }
  }

  @Test
  void withoutValidationEveryEpochIsCheckpointedAndTrainingRunsToTheEnd() {
    Path checkpoint = tmp.resolve("every");
    try (SiameseModel m = model(OptimizerSpec.adam(1e-3))) {
      TrainingHistory h =
          m.fit(
              BalancedPairSampler.of(GLYPHS, 1),
              TrainingConfig.builder().epochs(2).stepsPerEpoch(1).batchSize(4).checkpoint(checkpoint).build());
      assertEquals(2, h.bestEpoch());
      assertFalse(h.stoppedEarly());
      try (SiameseModel saved = SiameseModel.load(checkpoint)) {
        assertArrayEquals(saved.embed(GLYPHS.features(0)), m.embed(GLYPHS.features(0)), 0f);
      }
    }
  }

  @Test
  void aTimeLimitEndsTrainingAfterTheRunningStep() {
    try (SiameseModel m = model(OptimizerSpec.adam(1e-3))) {
      java.util.List<BatchResult> batches = new java.util.ArrayList<>();
      TrainingHistory h =
          m.fit(
              BalancedPairSampler.of(GLYPHS, 1),
              TrainingConfig.builder().epochs(1000).stepsPerEpoch(1000).batchSize(4).timeLimit(java.time.Duration.ofMillis(1)).build(),
              new TrainingListener() {
                @Override
                public void onBatchEnd(BatchResult batch) {
                  batches.add(batch);
                }
              });
      // The first step starts before the limit passes and always runs; the second does not.
      assertEquals(1, batches.size());
      assertEquals(1, h.epochs().size());
      assertTrue(h.stoppedEarly());
      assertEquals(batches.get(0).loss(), h.finalLoss(), 0.0);
    }
  }

  @Test
  void earlyStoppingNeedsValidation() {
    assertMessage(
        IllegalStateException.class,
        () -> TrainingConfig.builder().epochs(2).stepsPerEpoch(1).batchSize(4).earlyStopping(1).build(),
        "early stopping needs validation");
    assertMessage(IllegalArgumentException.class, () -> TrainingConfig.builder().earlyStopping(0), "got 0");
  }
}
