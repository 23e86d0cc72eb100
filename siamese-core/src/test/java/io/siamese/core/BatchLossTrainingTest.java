package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.train.BatchResult;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingListener;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.DatasetSplit;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PkBatchSampler;
import io.siamese.data.Splits;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.BatchHardTripletLoss;
import io.siamese.losses.ContrastiveLoss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training with a loss that mines its own triplets in P x K batches. */
class BatchLossTrainingTest {
  @TempDir Path tmp;

  @Test
  void batchHardTripletTrainingLearnsUnseenClasses() {
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(60).examplesPerClass(12).seed(31).build().generate();
    DatasetSplit split = Splits.byClass(glyphs, 20, 31);
    try (SiameseModel model =
        SiameseModel.builder().encoder(EncoderSpec.conv4(glyphs.shape(), 32)).loss(BatchHardTripletLoss.create()).seed(31).build()) {
      OneShotResult before = model.evaluateOneShot(episodes(split.test()), 200);
      List<BatchResult> batches = new ArrayList<>();
      PkBatchSampler sampler = PkBatchSampler.builder(split.train()).classesPerBatch(8).examplesPerClass(4).seed(31).build();
      model.fit(
          sampler,
          TrainingConfig.builder().epochs(3).stepsPerEpoch(40).batchSize(32).build(),
          new TrainingListener() {
            @Override
            public void onBatchEnd(BatchResult batch) {
              batches.add(batch);
            }
          });
      OneShotResult after = model.evaluateOneShot(episodes(split.test()), 200);
      assertEquals(120, batches.size());
      assertEquals(32, batches.get(0).pairs());
      String report = "before " + before + ", after " + after;
      assertTrue(after.accuracy() > 0.6, report);
      assertTrue(after.accuracy() > before.accuracy() + 0.1, report);
      assertTrue(batches.get(119).loss() < batches.get(0).loss(), report);
    }
  }

  @Test
  void theLossKindDecidesTheSamplerAndIsCheckedClearly() {
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(8).examplesPerClass(4).seed(2).build().generate();
    PkBatchSampler pk = PkBatchSampler.builder(glyphs).classesPerBatch(4).examplesPerClass(2).seed(1).build();
    TrainingConfig eight = TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(8).build();
    try (SiameseModel batchModel =
            SiameseModel.builder().encoder(EncoderSpec.conv4(glyphs.shape(), 4)).loss(BatchHardTripletLoss.create()).build();
        SiameseModel pairModel =
            SiameseModel.builder().encoder(EncoderSpec.conv4(glyphs.shape(), 4)).loss(ContrastiveLoss.similarIsOne()).build()) {
      assertMessage(IllegalStateException.class, () -> batchModel.fit(BalancedPairSampler.of(glyphs, 1), eight), "use fit(PkBatchSampler");
      assertMessage(IllegalStateException.class, () -> pairModel.fit(pk, eight), "use fit(PairSampler");
      assertMessage(
          IllegalArgumentException.class,
          () -> batchModel.fit(pk, TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(6).build()),
          "batchSize is 6 but the P x K sampler makes batches of 4 x 2 = 8 examples");
      assertMessage(
          IllegalStateException.class,
          () -> SiameseModel.builder().loss(ContrastiveLoss.similarIsOne()).loss(BatchHardTripletLoss.create()),
          "loss was already set");
      batchModel.fit(pk, eight);
      assertEquals(BatchHardTripletLoss.create().distance(), batchModel.embeddingDistance());
      assertEquals(BatchHardTripletLoss.create(), batchModel.loss());
    }
  }

  @Test
  void aBatchLossModelSavesAndLoadsWithOrWithoutItsLoss() {
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(8).examplesPerClass(4).seed(2).build().generate();
    Path dir = tmp.resolve("batch");
    float[] expected;
    try (SiameseModel m =
        SiameseModel.builder().encoder(EncoderSpec.conv4(glyphs.shape(), 4)).loss(BatchHardTripletLoss.create()).build()) {
      m.fit(
          PkBatchSampler.builder(glyphs).classesPerBatch(4).examplesPerClass(2).seed(1).build(),
          TrainingConfig.builder().epochs(1).stepsPerEpoch(2).batchSize(8).build());
      expected = m.embed(glyphs.features(0));
      m.save(dir);
    }
    // A built-in batch loss is described in the model, so load(dir) rebuilds it (issue 20).
    try (SiameseModel loaded = SiameseModel.load(dir)) {
      assertEquals(BatchHardTripletLoss.create(), loaded.loss());
      assertArrayEquals(expected, loaded.embed(glyphs.features(0)), 0f);
    }
    try (SiameseModel loaded = SiameseModel.load(dir, BatchHardTripletLoss.create())) {
      assertArrayEquals(expected, loaded.embed(glyphs.features(0)), 0f);
    }
  }

  private static EpisodeSampler episodes(LabeledDataset data) {
    return EpisodeSampler.builder(data).ways(5).shots(1).queriesPerClass(1).seed(8).build();
  }
}
