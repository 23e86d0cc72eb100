package io.siamese.core;

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
import org.junit.jupiter.api.Test;

/**
 * The whole spine learns: trained on some synthetic glyph classes, the model recognises classes it
 * never saw from one example each, far above chance and far above the same model untrained.
 */
class SpineLearningTest {

  @Test
  void oneShotAccuracyOnUnseenClassesRisesWellAboveChance() {
    LabeledDataset glyphs =
        SyntheticGlyphs.builder().classes(60).examplesPerClass(12).imageSize(28).seed(21).build().generate();
    DatasetSplit split = Splits.byClass(glyphs, 20, 21);
    try (SiameseModel model =
        SiameseModel.builder()
            .encoder(EncoderSpec.conv4(glyphs.shape(), 32))
            .loss(ContrastiveLoss.similarIsOne())
            .optimizer(OptimizerSpec.adam(1e-3))
            .seed(21)
            .build()) {
      OneShotResult before = model.evaluateOneShot(episodes(split.test()), 200);
      PairMetrics pairsBefore = model.evaluatePairs(BalancedPairSampler.of(split.test(), 3), 400);
      model.fit(
          BalancedPairSampler.of(split.train(), 21),
          TrainingConfig.builder().epochs(4).stepsPerEpoch(60).batchSize(32).build());
      OneShotResult after = model.evaluateOneShot(episodes(split.test()), 200);
      PairMetrics pairsAfter = model.evaluatePairs(BalancedPairSampler.of(split.test(), 3), 400);

      String report = "before: " + before + ", " + pairsBefore + "; after: " + after + ", " + pairsAfter;
      System.out.println("SpineLearningTest " + report);
      // Chance is 20% for 5-way; the margins leave room for seed-to-seed variation.
      assertTrue(after.accuracy() > 0.6, report);
      assertTrue(after.accuracy() > before.accuracy() + 0.1, report);
      assertTrue(pairsAfter.rocAuc() > 0.8, report);
      assertTrue(pairsAfter.rocAuc() > pairsBefore.rocAuc(), report);
    }
  }

  private static EpisodeSampler episodes(LabeledDataset data) {
    return EpisodeSampler.builder(data).ways(5).shots(1).queriesPerClass(1).seed(8).build();
  }
}
